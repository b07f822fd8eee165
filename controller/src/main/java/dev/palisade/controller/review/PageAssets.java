package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Router;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The review page's static files: the HTML shell, its script and style, and the graph library, all
 * from this jar (no CDN: clusters and this lab often have no internet). ECharts is vendored from its
 * npm package (dist/echarts.min.js, with its LICENSE and NOTICE beside it) because Maven Central's
 * WebJars stop at 5.3.1. These are public; the page asks for a token and every data call carries it.
 */
public final class PageAssets {
  /** The vendored ECharts release: its file name carries it, to update, replace the file and this. */
  public static final String ECHARTS = "6.1.0";
  private static final String PAGE = "dev/palisade/controller/page/";
  private static final Map<String, String> FILES = Map.of(
      "/", PAGE + "index.html",
      "/assets/app.js", PAGE + "app.js",
      "/assets/gitops.js", PAGE + "gitops.js",
      "/assets/app.css", PAGE + "app.css",
      "/assets/echarts.min.js", PAGE + "vendor/echarts-" + ECHARTS + ".min.js");
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  /** True for the paths served without a token. */
  public static boolean isPublic(String path) {
    return FILES.containsKey(path);
  }

  public Router addTo(Router router) {
    for (String path : FILES.keySet()) {
      router.add("GET", path, null, r -> serve(path));
    }
    return router;
  }

  private ApiResponse serve(String path) {
    byte[] body = cache.computeIfAbsent(path, p -> read(FILES.get(p)));
    return new ApiResponse(200, contentType(FILES.get(path)), body);
  }

  private static byte[] read(String resource) {
    try (InputStream in = PageAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new ApiException(500, "page resource missing from the build: " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ApiException(500, "cannot read page resource " + resource + ": " + e.getMessage());
    }
  }

  static String contentType(String resource) {
    if (resource.endsWith(".html")) return "text/html; charset=utf-8";
    if (resource.endsWith(".js")) return "text/javascript; charset=utf-8";
    if (resource.endsWith(".css")) return "text/css; charset=utf-8";
    return "application/octet-stream";
  }
}
