package io.github.switchboard.gateway.api;

import io.github.switchboard.gateway.Await;
import io.github.switchboard.gateway.GatewayHarness;
import io.github.switchboard.gateway.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document the gateway serves at {@code GET /api/openapi.json} against the gateway
 * itself: it lists exactly the routes under {@code /api}, with exactly the methods each path
 * takes; every operation's {@code x-example} call gets the status it names, a documented one,
 * with a body of the documented schema; calls without the key get the documented 401; and the
 * documented bounds (query parameters, required body fields, path parameters, body size) are the
 * ones the gateway enforces. The schema checker is small and covers what the document uses.
 */
class OpenApiTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String KEY = "openapi-test-key";
  private static final String RULES = "[{\"pattern\":\"feed\",\"subscribe\":true,\"publish\":true,"
    + "\"history\":{\"size\":50,\"ttlMs\":60000}},{\"pattern\":\"*\",\"subscribe\":true,\"publish\":true}]";
  /** Where the route constants are, read from the sources as LayersTest does. */
  private static final Path HTTP_SOURCES = Path.of("src/main/java/io/github/switchboard/gateway/http");
  private static final Pattern ROUTE_CONSTANT = Pattern.compile("static final String \\w+ = \"(/api[^\"]*)\";");
  /** The routes under /api and the methods each takes (HEAD besides GET is implied), from http/*.java. */
  private static final Map<String, Set<String>> ROUTES = Map.ofEntries(
    Map.entry("/api/groups/{group}/messages", Set.of("POST")),
    Map.entry("/api/broadcast", Set.of("POST")),
    Map.entry("/api/groups/{group}/history", Set.of("GET")),
    Map.entry("/api/groups/{group}/presence", Set.of("GET")),
    Map.entry("/api/groups/{group}/presence/stats", Set.of("GET")),
    Map.entry("/api/groups", Set.of("GET")),
    Map.entry("/api/nodes", Set.of("GET")),
    Map.entry("/api/cluster", Set.of("GET")),
    Map.entry("/api/users/{user}/connections", Set.of("GET")),
    Map.entry("/api/connections/{connection}", Set.of("GET")),
    Map.entry("/api/connections/{connection}/disconnect", Set.of("POST")),
    Map.entry("/api/users/{user}/disconnect", Set.of("POST")),
    Map.entry("/api/users/{user}/subscriptions", Set.of("POST")),
    Map.entry("/api/users/{user}/subscriptions/{group}", Set.of("DELETE")),
    Map.entry("/api/stats", Set.of("GET")),
    Map.entry("/api/openapi.json", Set.of("GET")));
  private static final Set<String> OPERATION_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private Vertx vertx;
  private GatewayHarness gateway;
  private JWTAuth signer;
  private WebClient http;
  private JsonObject doc;
  private final List<TestSocket> sockets = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
    gateway = GatewayHarness.start(vertx, new JsonObject()
      .put("apiKey", KEY)
      .put("groups", new JsonArray(RULES))
      .put("auth", new JsonObject().put("hs256Secret", SECRET).put("anonymous", true)));
    http = WebClient.create(vertx);
    doc = new JsonObject(classpathDocument());
  }

  @AfterEach
  void stop() {
    sockets.forEach(TestSocket::close);
    http.close();
    gateway.close();
    vertx.close().await();
  }

  @Test
  void theGatewayServesTheClasspathDocumentWithoutAKey() {
    HttpResponse<Buffer> served = send(HttpMethod.GET, "/api/openapi.json", null, null, false);
    assertThat(served.statusCode()).isEqualTo(200);
    assertThat(served.getHeader("content-type")).startsWith("application/json");
    assertThat(served.body()).isEqualTo(classpathDocument());
    assertThat(doc.getString("openapi")).isEqualTo("3.0.3");
    assertThat(doc.getJsonObject("info").getString("title")).isNotBlank();
    assertThat(unresolvedRefs(doc)).as("$refs that point nowhere").isEmpty();
  }

  @Test
  void theDocumentListsEveryRouteUnderApiWithItsMethodsAndNoOther() throws IOException {
    assertThat(routesInSources()).as("route constants in http/*.java (a new route needs ROUTES and the document)")
      .isEqualTo(new TreeSet<>(ROUTES.keySet()));
    Map<String, Set<String>> documented = new TreeMap<>();
    paths().forEach(path -> documented.put(path, operations(path).keySet().stream()
      .map(m -> m.toUpperCase()).collect(Collectors.toCollection(TreeSet::new))));
    assertThat(documented).isEqualTo(new TreeMap<>(ROUTES));

    // The gateway serves every documented path (else 404) and takes exactly the documented
    // methods there: a method it does not take gets 405 with the Allow header.
    List<String> problems = new ArrayList<>();
    for (String path : paths()) {
      String concrete = withoutQuery(operations(path).values().iterator().next().getJsonObject("x-example").getString("path"));
      HttpResponse<Buffer> wrong = send(HttpMethod.PATCH, concrete, null, null, true);
      if (wrong.statusCode() != 405) {
        problems.add("PATCH " + concrete + ": " + wrong.statusCode() + " " + wrong.bodyAsString() + ", expected 405");
        continue;
      }
      Set<String> expected = new TreeSet<>(documented.get(path));
      if (expected.contains("GET")) {
        expected.add("HEAD");
      }
      Set<String> allowed = Arrays.stream(String.valueOf(wrong.getHeader("Allow")).split(","))
        .map(String::strip).collect(Collectors.toCollection(TreeSet::new));
      if (!allowed.equals(expected)) {
        problems.add(path + ": Allow " + allowed + ", documented " + expected);
      }
      problems.addAll(bodyProblems("PATCH " + concrete, wrong, deref(doc, "#/components/responses/MethodNotAllowed")));
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void everyExampleGetsItsDocumentedStatusAndSchemaAndWithoutTheKeyTheDocumented401() {
    fixtures();
    List<String> problems = new ArrayList<>();
    for (String path : paths()) {
      for (Map.Entry<String, JsonObject> entry : operations(path).entrySet()) {
        String method = entry.getKey().toUpperCase();
        JsonObject op = entry.getValue();
        JsonObject example = op.getJsonObject("x-example");
        String what = method + " " + path;
        if (example == null) {
          problems.add(what + ": no x-example");
          continue;
        }
        String concrete = example.getString("path");
        problems.addAll(exampleMatchesTemplate(what, path, op, concrete));
        JsonObject headers = example.getJsonObject("headers", new JsonObject());
        Object body = example.getValue("body");
        int status = example.getInteger("status");
        if (!op.getJsonObject("responses").containsKey(String.valueOf(status))) {
          problems.add(what + ": the example's status " + status + " is not documented");
        }

        HttpResponse<Buffer> answer = send(HttpMethod.valueOf(method), concrete, headers, body, true);
        problems.addAll(answerProblems(what, op, answer, status));

        if (method.equals("GET")) {
          HttpResponse<Buffer> head = send(HttpMethod.HEAD, concrete, headers, null, true);
          if (head.statusCode() != status || (head.body() != null && head.body().length() > 0)) {
            problems.add("HEAD " + path + ": " + head.statusCode() + " with " + head.body() + ", expected " + status + " and no body");
          }
        }

        if (idempotencyKey(headers, body)) {
          HttpResponse<Buffer> again = send(HttpMethod.valueOf(method), concrete, headers, body, true);
          problems.addAll(answerProblems(what + " (repeated idempotency key)", op, again, 200));
          if (again.statusCode() == 200 && !Boolean.TRUE.equals(again.bodyAsJsonObject().getBoolean("duplicate"))) {
            problems.add(what + ": a repeated idempotency key is not answered as a duplicate: " + again.bodyAsString());
          }
        }

        JsonArray security = op.getJsonArray("security", doc.getJsonArray("security", new JsonArray()));
        HttpResponse<Buffer> anonymous = send(HttpMethod.valueOf(method), concrete, headers, body, false);
        if (security.isEmpty()) {
          problems.addAll(answerProblems(what + " (public, no key)", op, anonymous, status));
        } else {
          problems.addAll(answerProblems(what + " (no key)", op, anonymous, 401));
          if (!"Bearer".equals(anonymous.getHeader("WWW-Authenticate"))) {
            problems.add(what + " (no key): WWW-Authenticate is " + anonymous.getHeader("WWW-Authenticate"));
          }
          HttpResponse<Buffer> wrongKey = Await.result(request(HttpMethod.valueOf(method), concrete, headers)
            .bearerTokenAuthentication(KEY + "-not").send());
          problems.addAll(answerProblems(what + " (wrong key)", op, wrongKey, 401));
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theDocumentedBoundsAreTheOnesTheGatewayEnforces() {
    List<String> problems = new ArrayList<>();
    for (String path : paths()) {
      for (Map.Entry<String, JsonObject> entry : operations(path).entrySet()) {
        HttpMethod method = HttpMethod.valueOf(entry.getKey().toUpperCase());
        JsonObject op = entry.getValue();
        JsonObject example = op.getJsonObject("x-example");
        String what = method + " " + path;
        String base = withoutQuery(example.getString("path"));
        Object body = example.getValue("body");
        int status = example.getInteger("status");
        for (JsonObject parameter : parameters(op)) {
          JsonObject schema = parameter.getJsonObject("schema");
          String name = parameter.getString("name");
          if (parameter.getString("in").equals("query")) {
            if ("integer".equals(schema.getString("type"))) {
              if (schema.containsKey("minimum")) {
                long below = schema.getLong("minimum") - 1;
                problems.addAll(answerProblems(what + "?" + name + "=" + below, op, send(method, base + "?" + name + "=" + below, null, body, true), 400));
              }
              if (schema.containsKey("maximum")) {
                long max = schema.getLong("maximum");
                problems.addAll(answerProblems(what + "?" + name + "=" + max, op, send(method, base + "?" + name + "=" + max, null, body, true), status));
                problems.addAll(answerProblems(what + "?" + name + "=" + (max + 1), op, send(method, base + "?" + name + "=" + (max + 1), null, body, true), 400));
              }
              problems.addAll(answerProblems(what + "?" + name + "=x", op, send(method, base + "?" + name + "=x", null, body, true), 400));
            } else if ("boolean".equals(schema.getString("type"))) {
              for (String value : List.of("true", "false")) {
                problems.addAll(answerProblems(what + "?" + name + "=" + value, op, send(method, base + "?" + name + "=" + value, null, body, true), status));
              }
              problems.addAll(answerProblems(what + "?" + name + "=maybe", op, send(method, base + "?" + name + "=maybe", null, body, true), 400));
            }
          } else if (parameter.getString("in").equals("path")) {
            // A value outside the documented pattern or length is refused.
            String bad = schema.containsKey("pattern") ? "not%20a%20group" : "u".repeat(schema.getInteger("maxLength") + 1);
            String concrete = path.replace("{" + name + "}", bad).replaceAll("\\{[^}]+}", "x");
            problems.addAll(answerProblems(what + " with " + name + "=" + bad, op, send(method, concrete, null, body, true), 400));
          }
        }
        JsonObject requestSchema = requestSchema(op);
        if (requestSchema != null && body instanceof JsonObject object) {
          for (Object field : requestSchema.getJsonArray("required", new JsonArray())) {
            JsonObject without = object.copy();
            without.remove((String) field);
            problems.addAll(answerProblems(what + " without '" + field + "'", op, send(method, base, null, without, true), 400));
          }
          problems.addAll(answerProblems(what + " with a body that is not a JSON object", op,
            send(method, base, null, new JsonArray().add(1), true), 400));
        }
        if (op.getJsonObject("responses").containsKey("413")) {
          JsonObject huge = new JsonObject().put("data", "x".repeat(70_000));
          problems.addAll(answerProblems(what + " with a 70 kB body", op, send(method, base, null, huge, true), 413));
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /** The checker is what makes the other tests able to fail: it must see a missing or wrong field. */
  @Test
  void theSchemaCheckerRefusesARealAnswerWithARequiredFieldMissingOrOfTheWrongType() {
    JsonObject published = send(HttpMethod.POST, "/api/groups/feed/messages", null, new JsonObject().put("data", 1), true)
      .bodyAsJsonObject();
    JsonObject schema = new JsonObject().put("$ref", "#/components/schemas/Published");
    assertThat(violations(schema, published, "$")).isEmpty();
    JsonObject noGroup = published.copy();
    noGroup.remove("group");
    assertThat(violations(schema, noGroup, "$")).containsExactly("$: missing required 'group'");
    assertThat(violations(schema, published.copy().put("offset", "1"), "$")).containsExactly("$.offset: \"1\" is not integer");

    JsonObject nodes = send(HttpMethod.GET, "/api/nodes", null, null, true).bodyAsJsonObject();
    JsonObject nodesSchema = new JsonObject().put("$ref", "#/components/schemas/Nodes");
    assertThat(violations(nodesSchema, nodes, "$")).isEmpty();
    nodes.getJsonArray("nodes").getJsonObject(0).remove("uptimeMs");
    assertThat(violations(nodesSchema, nodes, "$")).containsExactly("$.nodes[0]: missing required 'uptimeMs'");
    assertThat(violations(new JsonObject().put("type", "string").put("nullable", true), null, "$")).isEmpty();
    assertThat(violations(new JsonObject().put("type", "string"), null, "$")).containsExactly("$: null is not allowed");
  }

  // ---- the gateway's state the examples read -------------------------------------------------

  /**
   * Users with sockets, so that the answers have entries to check: alice in chat.lobby (presence,
   * groups, nodes), bob for the server-side subscription, mallory to be disconnected; and a
   * message in the stream group feed (history).
   */
  private void fixtures() {
    TestSocket alice = user("alice");
    alice.send("{\"type\":\"subscribe\",\"group\":\"chat.lobby\",\"id\":1}");
    assertThat(alice.nextJson().getString("type")).isEqualTo("subscribed");
    user("bob");
    user("mallory");
    assertThat(send(HttpMethod.POST, "/api/groups/feed/messages", null, new JsonObject().put("data", "first"), true).statusCode())
      .isEqualTo(202);
    GatewayHarness.await("alice in the presence of chat.lobby", () ->
      send(HttpMethod.GET, "/api/groups/chat.lobby/presence", null, null, true).bodyAsJsonObject().getInteger("total") == 1);
  }

  private TestSocket user(String name) {
    String token = signer.generateToken(new JsonObject().put("sub", name).put("groups", new JsonArray().add("*")),
      new JWTOptions().setExpiresInSeconds(300));
    TestSocket socket = gateway.connect("/ws?token=" + token);
    sockets.add(socket);
    return socket;
  }

  // ---- calls ---------------------------------------------------------------------------------

  private HttpRequest<Buffer> request(HttpMethod method, String path, JsonObject headers) {
    HttpRequest<Buffer> request = http.request(method, gateway.port, "127.0.0.1", path);
    if (headers != null) {
      headers.forEach(h -> request.putHeader(h.getKey(), String.valueOf(h.getValue())));
    }
    return request;
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, JsonObject headers, Object body, boolean withKey) {
    HttpRequest<Buffer> request = request(method, path, headers);
    if (withKey) {
      request.bearerTokenAuthentication(KEY);
    }
    if (body == null) {
      return Await.result(request.send());
    }
    request.putHeader("content-type", "application/json");
    return Await.result(request.sendBuffer(Buffer.buffer(Json.encode(body))));
  }

  private static boolean idempotencyKey(JsonObject headers, Object body) {
    return headers.fieldNames().stream().anyMatch(h -> h.equalsIgnoreCase("Idempotency-Key"))
      || body instanceof JsonObject object && object.containsKey("idempotencyKey");
  }

  private static String withoutQuery(String path) {
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  // ---- the document --------------------------------------------------------------------------

  private static Buffer classpathDocument() {
    try (InputStream in = OpenApiTest.class.getClassLoader().getResourceAsStream("openapi.json")) {
      assertThat(in).as("openapi.json on the classpath").isNotNull();
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Set<String> routesInSources() throws IOException {
    Set<String> routes = new TreeSet<>();
    try (Stream<Path> files = Files.list(HTTP_SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = ROUTE_CONSTANT.matcher(Files.readString(file));
        while (m.find()) {
          routes.add(m.group(1).replaceAll(":(\\w+)", "{$1}"));
        }
      }
    }
    return routes;
  }

  private List<String> paths() {
    return new ArrayList<>(doc.getJsonObject("paths").fieldNames());
  }

  /** The operations of a path by method, in the document's order. */
  private Map<String, JsonObject> operations(String path) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    doc.getJsonObject("paths").getJsonObject(path).forEach(e -> {
      if (OPERATION_METHODS.contains(e.getKey())) {
        out.put(e.getKey(), (JsonObject) e.getValue());
      }
    });
    return out;
  }

  private List<JsonObject> parameters(JsonObject op) {
    List<JsonObject> out = new ArrayList<>();
    for (Object parameter : op.getJsonArray("parameters", new JsonArray())) {
      out.add(deref(doc, (JsonObject) parameter));
    }
    return out;
  }

  private JsonObject requestSchema(JsonObject op) {
    JsonObject body = op.getJsonObject("requestBody");
    return body == null ? null : deref(doc, body.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema"));
  }

  /**
   * The example names the path it documents (its path parameters filled in), and only query
   * parameters the operation documents.
   */
  private List<String> exampleMatchesTemplate(String what, String template, JsonObject op, String concrete) {
    List<String> problems = new ArrayList<>();
    String regex = Arrays.stream(template.split("(?=\\{)|(?<=})"))
      .map(part -> part.startsWith("{") ? "[^/]+" : Pattern.quote(part)).collect(Collectors.joining());
    if (!withoutQuery(concrete).matches(regex)) {
      problems.add(what + ": the example's path " + concrete + " is not of this path");
    }
    Set<String> inTemplate = new TreeSet<>();
    Matcher names = Pattern.compile("\\{(\\w+)}").matcher(template);
    while (names.find()) {
      inTemplate.add(names.group(1));
    }
    Set<String> pathParameters = new TreeSet<>();
    Set<String> queryParameters = new TreeSet<>();
    for (JsonObject parameter : parameters(op)) {
      (parameter.getString("in").equals("path") ? pathParameters : queryParameters).add(parameter.getString("name"));
    }
    if (!pathParameters.equals(inTemplate)) {
      problems.add(what + ": path parameters " + pathParameters + ", the path has " + inTemplate);
    }
    int query = concrete.indexOf('?');
    if (query >= 0) {
      for (String pair : concrete.substring(query + 1).split("&")) {
        String name = pair.split("=", 2)[0];
        if (!queryParameters.contains(name)) {
          problems.add(what + ": the example uses the undocumented query parameter '" + name + "'");
        }
      }
    }
    return problems;
  }

  // ---- answers against the document ---------------------------------------------------------

  /** The answer has the expected status, the operation documents it, and the body is of its schema. */
  private List<String> answerProblems(String what, JsonObject op, HttpResponse<Buffer> answer, int expected) {
    List<String> problems = new ArrayList<>();
    if (answer.statusCode() != expected) {
      problems.add(what + ": " + answer.statusCode() + " " + answer.bodyAsString() + ", expected " + expected);
      return problems;
    }
    JsonObject response = op.getJsonObject("responses").getJsonObject(String.valueOf(expected));
    if (response == null) {
      problems.add(what + ": status " + expected + " is not documented");
      return problems;
    }
    problems.addAll(bodyProblems(what, answer, deref(doc, response)));
    return problems;
  }

  private List<String> bodyProblems(String what, HttpResponse<Buffer> answer, JsonObject response) {
    JsonObject content = response.getJsonObject("content");
    if (content == null) {
      return List.of();
    }
    JsonObject media = content.getJsonObject("application/json");
    if (media == null) {
      return List.of(what + ": no application/json content documented");
    }
    String type = answer.getHeader("content-type");
    if (type == null || !type.startsWith("application/json")) {
      return List.of(what + ": content-type " + type);
    }
    Object body;
    try {
      body = Json.decodeValue(answer.bodyAsString());
    } catch (DecodeException e) {
      return List.of(what + ": body is not JSON: " + answer.bodyAsString());
    }
    return violations(media.getJsonObject("schema"), body, what + " $").stream()
      .map(v -> v + " in " + answer.bodyAsString()).toList();
  }

  // ---- the schema checker --------------------------------------------------------------------

  /**
   * Where {@code value} breaks {@code schema}: $ref, type (object, array, string, integer,
   * number, boolean), nullable, enum, required, properties, additionalProperties, items,
   * minimum, maximum, minLength, maxLength, pattern. A schema without a type takes any value.
   */
  private List<String> violations(JsonObject schema, Object value, String where) {
    schema = deref(doc, schema);
    List<String> out = new ArrayList<>();
    if (value == null) {
      if (schema.containsKey("type") && !schema.getBoolean("nullable", false)) {
        out.add(where + ": null is not allowed");
      }
      return out;
    }
    String type = schema.getString("type");
    if (type != null && !hasType(value, type)) {
      out.add(where + ": " + Json.encode(value) + " is not " + type);
      return out;
    }
    JsonArray allowed = schema.getJsonArray("enum");
    if (allowed != null && !allowed.contains(value)) {
      out.add(where + ": " + Json.encode(value) + " is not one of " + allowed.encode());
    }
    if (value instanceof Number number) {
      if (schema.containsKey("minimum") && number.doubleValue() < schema.getNumber("minimum").doubleValue()) {
        out.add(where + ": " + number + " is below " + schema.getNumber("minimum"));
      }
      if (schema.containsKey("maximum") && number.doubleValue() > schema.getNumber("maximum").doubleValue()) {
        out.add(where + ": " + number + " is above " + schema.getNumber("maximum"));
      }
    }
    if (value instanceof String text) {
      if (text.length() < schema.getInteger("minLength", 0) || text.length() > schema.getInteger("maxLength", Integer.MAX_VALUE)) {
        out.add(where + ": \"" + text + "\" has a length outside the documented one");
      }
      if (schema.containsKey("pattern") && !Pattern.compile(schema.getString("pattern")).matcher(text).find()) {
        out.add(where + ": \"" + text + "\" does not match " + schema.getString("pattern"));
      }
    }
    if (value instanceof JsonObject object) {
      for (Object name : schema.getJsonArray("required", new JsonArray())) {
        if (!object.containsKey((String) name)) {
          out.add(where + ": missing required '" + name + "'");
        }
      }
      JsonObject properties = schema.getJsonObject("properties", new JsonObject());
      Object additional = schema.getValue("additionalProperties");
      for (Map.Entry<String, Object> field : object) {
        String at = where + "." + field.getKey();
        if (properties.containsKey(field.getKey())) {
          out.addAll(violations(properties.getJsonObject(field.getKey()), field.getValue(), at));
        } else if (additional instanceof JsonObject additionalSchema) {
          out.addAll(violations(additionalSchema, field.getValue(), at));
        } else if (Boolean.FALSE.equals(additional)) {
          out.add(at + ": not a documented property");
        }
      }
    }
    if (value instanceof JsonArray array && schema.containsKey("items")) {
      for (int i = 0; i < array.size(); i++) {
        out.addAll(violations(schema.getJsonObject("items"), array.getValue(i), where + "[" + i + "]"));
      }
    }
    return out;
  }

  private static boolean hasType(Object value, String type) {
    return switch (type) {
      case "object" -> value instanceof JsonObject;
      case "array" -> value instanceof JsonArray;
      case "string" -> value instanceof String;
      case "boolean" -> value instanceof Boolean;
      case "integer" -> value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof BigInteger;
      case "number" -> value instanceof Number;
      default -> throw new AssertionError("the checker does not know the type '" + type + "'");
    };
  }

  /** Follows {@code $ref}s within the document ({@code #/a/b/c}). */
  private static JsonObject deref(JsonObject doc, JsonObject node) {
    int hops = 0;
    while (node.containsKey("$ref")) {
      node = deref(doc, node.getString("$ref"));
      if (++hops > 10) {
        throw new AssertionError("a $ref loop");
      }
    }
    return node;
  }

  private static JsonObject deref(JsonObject doc, String ref) {
    if (!ref.startsWith("#/")) {
      throw new AssertionError("only local $refs are used: " + ref);
    }
    Object at = doc;
    for (String part : ref.substring(2).split("/")) {
      if (!(at instanceof JsonObject object) || !object.containsKey(part)) {
        throw new AssertionError("$ref " + ref + " points nowhere");
      }
      at = object.getValue(part);
    }
    return (JsonObject) at;
  }

  private static List<String> unresolvedRefs(JsonObject doc) {
    List<String> out = new ArrayList<>();
    walk(doc, node -> {
      if (node.containsKey("$ref")) {
        try {
          deref(doc, node.getString("$ref"));
        } catch (AssertionError e) {
          out.add(e.getMessage());
        }
      }
    });
    return out;
  }

  private static void walk(Object node, Consumer<JsonObject> visit) {
    if (node instanceof JsonObject object) {
      visit.accept(object);
      object.forEach(e -> walk(e.getValue(), visit));
    } else if (node instanceof JsonArray array) {
      array.forEach(item -> walk(item, visit));
    }
  }
}
