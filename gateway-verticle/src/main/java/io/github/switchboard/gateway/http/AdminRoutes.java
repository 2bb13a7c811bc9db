package io.github.switchboard.gateway.http;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin page, {@code /admin/}: the whole cluster for an operator (members and roles, each
 * gateway's traffic, groups across gateways, presence, a user's or a connection's sockets with a
 * disconnect button), built on the server API only ({@code /api/cluster}, {@code /api/nodes},
 * {@code /api/groups}, {@code /api/connections}...), so the page can do nothing a backend with
 * the key cannot. Its files are served only to a caller the API would let in: logged in with the
 * API key ({@link AdminSession}: the form at {@code /admin/} posts it to {@code /admin/login},
 * answered with a cookie), presenting the key as a bearer token, or, on an embedded gateway
 * without a key, on the same machine. Anyone else gets 401 and the login form (403 when no key
 * is configured: there is nothing to log in with). The files live outside the public webroot, so
 * the pages' static handler can never serve them.
 */
public final class AdminRoutes {

  static final String ROOT = "/admin";
  static final String PAGE = "/admin/";
  static final String LOGIN = "/admin/login";
  static final String LOGOUT = "/admin/logout";
  /** The classpath directory of the page's files. */
  static final String FILES = "admin-webroot";
  /** A login form is one short field. */
  static final int MAX_LOGIN_BYTES = 4_096;
  private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);

  private final ApiAccess access;

  private AdminRoutes(ApiAccess access) {
    this.access = access;
  }

  /** Mount before the pages' static handler. */
  public static void mount(Router router, ApiAccess access) {
    AdminRoutes routes = new AdminRoutes(access);
    // Exactly /admin (a route for "/admin" would match "/admin/" too, and loop).
    router.routeWithRegex("^" + ROOT + "$").handler(ctx -> ctx.redirect(PAGE));
    router.post(LOGIN).handler(BodyHandler.create(false).setBodyLimit(MAX_LOGIN_BYTES)).handler(routes::login)
      .failureHandler(ctx -> routes.loginPage(ctx, ctx.statusCode() == 413 ? 413 : 400, "That form was not understood."));
    router.post(LOGOUT).handler(routes::logout);
    StaticHandler files = StaticHandler.create(FILES).setIndexPage("index.html").setCachingEnabled(false);
    router.route(PAGE + "*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(routes::guard).handler(files);
    // Anything else under /admin/ (a PUT, a file that does not exist): JSON, like every other answer.
    router.route(PAGE + "*").handler(ctx -> JsonResponses.error(ctx, 404, io.github.switchboard.protocol.ErrorCode.NOT_FOUND,
      "no resource at " + ctx.request().path()));
  }

  private void guard(RoutingContext ctx) {
    secure(ctx);
    switch (access.pageAccess(ctx)) {
      case OPEN -> ctx.next();
      case LOGIN -> loginPage(ctx, 401, null);
      case CLOSED -> page(ctx, 403, "<p>The admin page needs an API key: start the gateway with <code>apiKey</code> "
        + "(<code>SWITCHBOARD_API_KEY</code>) and log in with it here. (An embedded gateway shows it without a key to a "
        + "browser on its own machine.)</p>");
    }
  }

  private void login(RoutingContext ctx) {
    secure(ctx);
    AdminSession admin = access.admin();
    if (admin == null) {
      page(ctx, 403, "<p>No API key is configured, so there is nothing to log in with.</p>");
      return;
    }
    String key = ctx.request().getFormAttribute("key");
    if (!access.isKey(key)) {
      log.warn("admin login refused from {}: not the API key", ctx.request().remoteAddress());
      loginPage(ctx, 401, "That is not the API key.");
      return;
    }
    log.info("admin login from {}", ctx.request().remoteAddress());
    ctx.response().addCookie(cookie(admin.issue(System.currentTimeMillis()), admin.ttlMs() / 1000, ctx));
    ctx.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, PAGE).end();
  }

  private void logout(RoutingContext ctx) {
    secure(ctx);
    ctx.response().addCookie(cookie("", 0, ctx));
    ctx.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, PAGE).end();
  }

  /**
   * Not readable by scripts, sent only with requests from this site's own pages, and over TLS
   * only when the gateway serves TLS itself.
   */
  private static Cookie cookie(String value, long maxAgeSeconds, RoutingContext ctx) {
    return Cookie.cookie(AdminSession.COOKIE, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
      .setSecure(ctx.request().isSSL()).setMaxAge(maxAgeSeconds);
  }

  /** The page lists users and closes sockets: never cached, never framed by another site. */
  private static void secure(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
      .putHeader("X-Frame-Options", "DENY")
      .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
      .putHeader("Referrer-Policy", "no-referrer");
  }

  private void loginPage(RoutingContext ctx, int status, String problem) {
    secure(ctx);
    ctx.response().putHeader("WWW-Authenticate", "Bearer");
    page(ctx, status, (problem == null ? "" : "<p class=\"problem\" role=\"alert\">" + problem + "</p>")
      + "<form method=\"post\" action=\"" + LOGIN + "\">"
      + "<label for=\"key\">API key</label>"
      + "<input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"current-password\" required autofocus>"
      + "<button type=\"submit\">Log in</button></form>"
      + "<p class=\"hint\">The gateway's <code>apiKey</code> (<code>SWITCHBOARD_API_KEY</code>). The browser keeps a login "
      + "cookie, not the key.</p>");
  }

  /** A small page of fixed text (nothing the caller sent is echoed). */
  private static void page(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
      .end("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<link rel=\"icon\" href=\"data:,\"><title>Switchboard admin: log in</title><link rel=\"stylesheet\" href=\"/css/site.css\"></head>"
        + "<body><main class=\"admin-login\"><h1>Switchboard admin</h1>" + body + "</main></body></html>");
  }
}
