// The conformance suite's Java driver: reads one Call as JSON on stdin, runs it with openai-java
// (com.openai:openai-java: the Azure URL layout forced on the classic surface, a plain client on the
// v1 surface) and prints one Outcome as JSON on stdout. The protocol is
// conformance/drivers/__init__.py's Call and Outcome; built by conformance/drivers/java_openai.py.
package mockserver.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.azure.AzureOpenAIServiceVersion;
import com.openai.azure.AzureUrlPathMode;
import com.openai.azure.credential.AzureApiKeyCredential;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.Properties;
import com.openai.core.http.StreamResponse;
import com.openai.credential.BearerTokenCredential;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class Driver {
    private static final String PROMPT = "Say hello in five words.";

    /** A Call that openai-java cannot express (e.g. auth from the environment). */
    static final class Unsupported extends RuntimeException {
        Unsupported(String what) {
            super(what);
        }
    }

    private Driver() {}

    static OpenAIClient makeClient(JsonNode call) {
        String endpoint = call.path("endpoint").asText().replaceAll("/+$", "");
        String key = call.path("api_key").asText();
        OpenAIOkHttpClient.Builder builder = OpenAIOkHttpClient.builder();
        if (call.path("surface").asText().equals("v1")) {
            builder.baseUrl(endpoint + "/openai/v1/").apiKey(key);
        } else if (call.path("auth").asText().equals("env")) {
            throw new Unsupported("openai-java's fromEnv() reads AZURE_OPENAI_KEY and OPENAI_BASE_URL, not "
                    + "AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT or OPENAI_API_VERSION (sdk-behaviour §3.4)");
        } else {
            // Azure is recognised by host name only; LEGACY is what AUTO picks for an Azure host anyway
            builder.baseUrl(endpoint)
                    .azureServiceVersion(AzureOpenAIServiceVersion.fromString(call.path("api_version").asText()))
                    .azureUrlPathMode(AzureUrlPathMode.LEGACY)
                    .credential(call.path("auth").asText().equals("token")
                            ? BearerTokenCredential.create(key)
                            : AzureApiKeyCredential.create(key));
        }
        JsonNode settings = call.path("settings");
        if (settings.hasNonNull("max_retries")) {
            builder.maxRetries(settings.get("max_retries").asInt());
        }
        if (settings.hasNonNull("timeout")) {
            builder.timeout(Duration.ofMillis(Math.round(settings.get("timeout").asDouble() * 1000)));
        }
        call.path("headers").fields().forEachRemaining(h -> builder.putHeader(h.getKey(), h.getValue().asText()));
        return builder.build();
    }

    static ChatCompletionCreateParams chatParams(JsonNode call) {
        ChatCompletionCreateParams.Builder params = ChatCompletionCreateParams.builder()
                .model(call.path("deployment").asText())
                .addUserMessage(PROMPT);
        JsonNode maxTokens = call.path("params").path("max_tokens");
        if (maxTokens.isNumber()) {
            params.maxTokens(maxTokens.asLong());
        }
        return params.build();
    }

    static ResponseCreateParams responseParams(JsonNode call) {
        ResponseCreateParams.Builder params = ResponseCreateParams.builder()
                .model(call.path("deployment").asText())
                .input(PROMPT);
        JsonNode maxTokens = call.path("params").path("max_output_tokens");
        if (maxTokens.isNumber()) {
            params.maxOutputTokens(maxTokens.asLong());
        }
        return params.build();
    }

    static String eventName(ResponseStreamEvent event) {
        if (event.isCompleted()) return "response.completed";
        if (event.isFailed()) return "response.failed";
        if (event.isError()) return "error";
        if (event.isIncomplete()) return "response.incomplete";
        if (event.isCreated()) return "response.created";
        return "other";
    }

    /** The Responses operations: create (then retrieve the new id at once), or a stream's events counted. */
    static void performResponses(OpenAIClient client, JsonNode call, Map<String, Object> result) {
        if (call.path("operation").asText().equals("responses_stream")) {
            int events = 0;
            String last = null;
            boolean completed = false;
            try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(responseParams(call))) {
                for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
                    events++;
                    last = eventName(event);
                    completed = completed || event.isCompleted();
                }
            } finally {
                result.put("events", events);
                result.put("last", last);
                result.put("completed", completed);
            }
            return;
        }
        Response res = client.responses().create(responseParams(call));
        result.put("status", res.status().map(Object::toString).orElse(null));
        if (call.path("operation").asText().equals("responses_retrieve")) {
            result.put("retrieved", client.responses().retrieve(res.id()).id().equals(res.id()));
        }
    }

    static void perform(OpenAIClient client, JsonNode call, Map<String, Object> result) {
        if (call.path("operation").asText().startsWith("responses")) {
            performResponses(client, call, result);
            return;
        }
        switch (call.path("operation").asText()) {
            case "embeddings" -> {
                EmbeddingCreateParams params = EmbeddingCreateParams.builder()
                        .model(call.path("deployment").asText())
                        .inputOfArrayOfStrings(List.of("hello"))
                        .build();
                result.put("vectors", client.embeddings().create(params).data().size());
            }
            case "chat" -> {
                ChatCompletion res = client.chat().completions().create(chatParams(call));
                if (!res.choices().isEmpty()) {
                    ChatCompletion.Choice choice = res.choices().get(0);
                    result.put("content", choice.message().content().orElse(null));
                    result.put("finish_reason", choice.finishReason().toString());
                }
            }
            case "chat_stream" -> {
                int chunks = 0;
                StringBuilder content = new StringBuilder();
                try (StreamResponse<ChatCompletionChunk> stream =
                        client.chat().completions().createStreaming(chatParams(call))) {
                    for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                        chunks++;
                        if (!chunk.choices().isEmpty()) {
                            ChatCompletionChunk.Choice choice = chunk.choices().get(0);
                            choice.delta().content().ifPresent(content::append);
                            choice.finishReason().ifPresent(r -> result.put("finish_reason", r.toString()));
                        }
                    }
                } finally {
                    result.put("chunks", chunks);
                    result.put("content", content.toString());
                }
            }
            default -> throw new Unsupported("unknown operation " + call.path("operation").asText());
        }
    }

    static void describe(Exception err, Map<String, Object> out) {
        out.put("error_class", err.getClass().getSimpleName());
        String message = String.valueOf(err.getMessage());
        if (err instanceof OpenAIServiceException api) {
            out.put("status", api.statusCode());
            out.put("code", api.code().orElse(null));
            List<String> ids = api.headers().values("x-request-id");
            out.put("request_id", ids.isEmpty() ? null : ids.get(0));
        }
        out.put("message", message.length() > 200 ? message.substring(0, 200) : message);
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> result = new LinkedHashMap<>();
        out.put("driver", "java");
        out.put("sdk", "openai-java");
        out.put("sdk_version", Properties.getPackageVersion());
        out.put("runtime", "Java " + System.getProperty("java.version"));
        out.put("ok", true);
        out.put("result", result);
        ObjectMapper mapper = new ObjectMapper();
        long started = System.nanoTime();
        OpenAIClient client = null;
        try {
            JsonNode call = mapper.readTree(System.in);
            client = makeClient(call);
            perform(client, call, result);
        } catch (Exception err) {
            out.put("ok", false);
            describe(err, out);
        } finally {
            if (client != null) {
                client.close();
            }
        }
        // Not counted: an OkHttp interceptor also sees requests written to a pooled connection the server
        // has already closed (after a long Retry-After), which never reach it; the mock's journal counts.
        out.put("attempts", null);
        out.put("elapsed", (System.nanoTime() - started) / 1e9);
        System.out.println(mapper.writeValueAsString(out));
        System.out.flush();
        System.exit(0); // OkHttp's pool threads need not linger
    }
}
