// The Call's chat request sent with a default java.net.http.HttpClient (JDK 17: version HTTP_2), as
// Java code that calls the REST API directly does. On an http URL the JDK offers an h2c upgrade with
// the request (Connection: Upgrade, HTTP2-Settings; Upgrade: h2c; HTTP2-Settings), which a server must
// ignore while keeping the body (mockserver/h2c.py). Prints one Outcome line.
package mockserver.conformance.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class H2c {
    private H2c() {}

    static int run() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode call = mapper.readTree(System.in);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("messages", List.of(Map.of("role", "user", "content", Driver.PROMPT)));
        body.put("max_tokens", call.path("params").path("max_tokens").asInt(16));
        String url = call.path("endpoint").asText().replaceAll("/+$", "") + "/openai/deployments/"
                + call.path("deployment").asText() + "/chat/completions?api-version=" + call.path("api_version").asText();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("api-key", call.path("api_key").asText())
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(body)));
        call.path("headers").fields().forEachRemaining(h -> request.header(h.getKey(), h.getValue().asText()));
        HttpClient client = HttpClient.newHttpClient();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("driver", "java-azure");
        out.put("sdk", "java.net.http");
        out.put("sdk_version", Runtime.version().toString());
        out.put("runtime", "Java " + System.getProperty("java.version") + ", " + client.version());
        long started = System.nanoTime();
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        out.put("ok", response.statusCode() == 200);
        out.put("status", response.statusCode());
        out.put("result", Map.of("version", response.version().toString(), "body", response.body()));
        out.put("attempts", 1);
        out.put("elapsed", (System.nanoTime() - started) / 1e9);
        System.out.println(mapper.writeValueAsString(out));
        return 0;
    }
}
