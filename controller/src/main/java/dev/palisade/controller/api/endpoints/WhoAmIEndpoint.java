package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.JsonText;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import java.util.Locale;

/** {@code GET /v1/whoami} (any caller): the name and role the token was found to be; the page shows it. */
public final class WhoAmIEndpoint {
  public Router addTo(Router router) {
    return router.add("GET", "/v1/whoami", Role.VIEWER, r -> ApiResponse.json(200, "{\"name\":"
        + JsonText.quote(r.caller().name()) + ",\"role\":"
        + JsonText.quote(r.caller().role().name().toLowerCase(Locale.ROOT)) + "}"));
  }
}
