package io.github.switchboard.gateway.web;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;

/**
 * The system's Chromium, headless, driven through the system's chromedriver (Debian packages
 * {@code chromium} and {@code chromium-driver}). Both paths are set explicitly, so Selenium
 * Manager never runs and nothing is downloaded.
 */
public final class Browser {

  public static final String CHROMIUM = "/usr/bin/chromium";
  public static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  /** Where the screenshots for the README go: {@code docs/images/} of the repository. */
  public static final Path IMAGES = Path.of("..", "docs", "images");
  public static final Dimension DESKTOP = new Dimension(1200, 860);
  public static final Dimension PHONE = new Dimension(390, 844);

  private Browser() {
  }

  /** Starts one headless Chromium. */
  public static ChromeDriver start() {
    for (String binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(Path.of(binary))) {
        throw new IllegalStateException(binary + " is missing: the browser tests need the Debian packages "
          + "chromium and chromium-driver (apt-get install -y chromium chromium-driver; .ci/run installs them)");
      }
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
      "--window-size=" + DESKTOP.width + "," + DESKTOP.height, "--lang=en-US", "--force-device-scale-factor=1");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(new File(CHROMEDRIVER))
      .usingAnyFreePort()
      .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(15));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(15));
    return driver;
  }

  /** Starts two browsers at once (two independent sessions, e.g. two chat users). */
  public static List<ChromeDriver> startTwo() {
    CompletableFuture<ChromeDriver> first = CompletableFuture.supplyAsync(Browser::start);
    CompletableFuture<ChromeDriver> second = CompletableFuture.supplyAsync(Browser::start);
    return List.of(first.join(), second.join());
  }

  public static void quit(WebDriver... drivers) {
    for (WebDriver driver : drivers) {
      if (driver != null) {
        driver.quit();
      }
    }
  }

  /** An explicit wait that polls every 50 ms up to the deadline. */
  public static WebDriverWait waiting(WebDriver driver, Duration timeout) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(50));
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return wait;
  }

  public static <T> T await(WebDriver driver, Duration timeout, String what, Function<WebDriver, T> condition) {
    WebDriverWait wait = waiting(driver, timeout);
    wait.withMessage(what);
    return wait.until(condition);
  }

  /** Waits until #status shows the given status. */
  public static void awaitStatus(WebDriver driver, String status, Duration timeout) {
    await(driver, timeout, "status " + status, d -> status.equals(d.findElement(By.id("status")).getDomAttribute("data-status")));
  }

  public static String text(WebDriver driver, String id) {
    return driver.findElement(By.id(id)).getText();
  }

  public static List<WebElement> all(WebDriver driver, String css) {
    return driver.findElements(By.cssSelector(css));
  }

  public static Object js(WebDriver driver, String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Runs an async script: it calls its last argument with the result. */
  public static Object jsAsync(WebDriver driver, String script, Object... args) {
    return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
  }

  /**
   * Writes a PNG of the whole page (up to 2000 px tall) to docs/images/{name}.png: the window
   * is made as tall as the page for the shot, then restored.
   */
  public static Path screenshot(WebDriver driver, String name) {
    Dimension size = driver.manage().window().getSize();
    try {
      long chrome = ((Number) js(driver, "return window.outerHeight - window.innerHeight;")).longValue();
      long page = ((Number) js(driver, "return document.documentElement.scrollHeight;")).longValue();
      int height = (int) Math.min(2000, Math.max(size.height, page + chrome));
      if (height != size.height) {
        driver.manage().window().setSize(new Dimension(size.width, height));
      }
      Files.createDirectories(IMAGES);
      Path file = IMAGES.resolve(name + ".png");
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      driver.manage().window().setSize(size);
    }
  }

  /** Console errors the page logged since the last call (browser log level SEVERE). */
  public static List<String> consoleErrors(WebDriver driver) {
    Stream<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll().stream();
    return entries.filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
  }
}
