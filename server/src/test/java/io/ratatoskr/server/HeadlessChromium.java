package io.ratatoskr.server;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Chromium driven through Debian's {@code chromedriver}, for browser tests. Both programs
 * are found through {@code $RATATOSKR_CHROMIUM} / {@code $RATATOSKR_CHROMEDRIVER}, then {@code PATH},
 * then {@code /usr/bin}; Selenium is never asked to download anything. When they are missing the test
 * is skipped with a message saying what to install, except on CI ({@code CI=true}), where it fails.
 *
 * <p>Thread-safety: not thread-safe; one test class drives it from one thread.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final String INSTALL = "install the Debian packages chromium and chromium-driver "
            + "(apt-get install -y chromium chromium-driver; .ci/run does), or point RATATOSKR_CHROMIUM and "
            + "RATATOSKR_CHROMEDRIVER at a Chromium and its driver";

    /**
     * Selenium warns that it has no DevTools bindings for this Chromium's version; the tests use only
     * WebDriver commands, so the warning is noise. Held here so that the setting is not collected.
     */
    private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

    static {
        DEVTOOLS_LOG.setLevel(Level.SEVERE);
    }

    private final ChromeDriver driver;
    private final Path screenshots;

    private HeadlessChromium(ChromeDriver driver, Path screenshots) {
        this.driver = driver;
        this.screenshots = screenshots;
    }

    /** Starts Chromium with a 1280×800 window; screenshots go to {@code screenshots}. */
    static HeadlessChromium start(Path screenshots) throws IOException {
        Path browser = find("RATATOSKR_CHROMIUM", "chromium", "chromium-browser");
        Path driverBinary = find("RATATOSKR_CHROMEDRIVER", "chromedriver");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driverBinary.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,800");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(15));
        Files.createDirectories(screenshots);
        return new HeadlessChromium(driver, screenshots);
    }

    ChromeDriver driver() {
        return driver;
    }

    /** Saves what the window shows as {@code <name>.png}; returns the file. */
    Path screenshot(String name) throws IOException {
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path target = screenshots.resolve(name + ".png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /**
     * Saves the whole page, not only the window, as {@code <name>.png}: the window grows to the page's
     * height for the shot and is put back after.
     */
    Path screenshotOfWholePage(String name) throws IOException {
        Dimension before = driver.manage().window().getSize();
        long chrome = (Long) driver.executeScript("return window.outerHeight - window.innerHeight;");
        long page = (Long) driver.executeScript("return document.documentElement.scrollHeight;");
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) (page + chrome)));
        try {
            return screenshot(name);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    /** The console's errors since the last call (e.g. a script that failed, a policy violation). */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    @Override
    public void close() {
        driver.quit();
    }

    private static Path find(String variable, String... names) {
        String explicit = System.getenv(variable);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isExecutable(p)) {
                throw new AssertionError(variable + "=" + explicit + " is not an executable file");
            }
            return p;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        Path fallback = Path.of("/usr/bin", names[0]);
        if (Files.isExecutable(fallback)) {
            return fallback;
        }
        String missing = names[0] + " not found for the dashboard's browser test: " + INSTALL;
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(missing);
        }
        abort(missing);
        return null;
    }
}
