// The conformance suite's driver for the Azure-maintained Java SDK, com.azure:azure-ai-openai on
// azure-core: reads one Call as JSON on stdin, runs it and prints one Outcome as JSON on stdout
// (conformance/drivers/__init__.py's protocol; built by conformance/drivers/java_azure.py). With the
// argument "samples" it runs the SDK's seed samples instead (Samples.java), one JSON line each; with
// "h2c" it sends the Call's chat request with a default java.net.http.HttpClient (H2c.java).
//
// https endpoints: OpenAIClientBuilder with an AzureKeyCredential or a TokenCredential, as the SDK's
// README shows; the JVM trusts the mock's CA through -Djavax.net.ssl.trustStore. Over plain http
// azure-core's KeyCredentialPolicy refuses the key ("Key credentials require HTTPS"), so an http Call
// builds the pipeline itself, the key as a plain header, on azure-core's JDK HttpClient transport:
// what a user must do to reach an http endpoint. (That transport pins HTTP/1.1, so it never offers
// h2c; a default java.net.http.HttpClient does, which the "h2c" mode uses.)
package mockserver.conformance.azure;

import com.azure.ai.openai.OpenAIClient;
import com.azure.ai.openai.OpenAIClientBuilder;
import com.azure.ai.openai.models.ChatChoice;
import com.azure.ai.openai.models.ChatCompletions;
import com.azure.ai.openai.models.ChatCompletionsOptions;
import com.azure.ai.openai.models.ChatRequestMessage;
import com.azure.ai.openai.models.ChatRequestUserMessage;
import com.azure.ai.openai.models.EmbeddingsOptions;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.AzureKeyCredential;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.AddHeadersPolicy;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.CoreUtils;
import com.azure.core.util.HttpClientOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

public final class Driver {
    static final String PROMPT = "Say hello in five words.";

    /** A Call that azure-ai-openai cannot express (e.g. auth from the environment). */
    static final class Unsupported extends RuntimeException {
        Unsupported(String what) {
            super(what);
        }
    }

    /** Counts the attempts azure-core's retry policy makes (a per-retry policy runs once per try). */
    static final class Counter implements HttpPipelinePolicy {
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            attempts.incrementAndGet();
            return next.process();
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            attempts.incrementAndGet();
            return next.processSync();
        }

        @Override
        public HttpPipelinePosition getPipelinePosition() {
            return HttpPipelinePosition.PER_RETRY;
        }
    }

    private Driver() {}

    static String version() {
        String version = Driver.class.getPackage().getImplementationVersion();
        return version != null ? version : "unknown";
    }

    static HttpClient jdkClient(HttpClientOptions options) {
        return new JdkHttpClientBuilder().responseTimeout(options.getResponseTimeout())
                .readTimeout(options.getReadTimeout()).build();
    }

    static OpenAIClient makeClient(JsonNode call, Counter counter) {
        String endpoint = call.path("endpoint").asText().replaceAll("/+$", "");
        String key = call.path("api_key").asText();
        String auth = call.path("auth").asText();
        if (auth.equals("env")) {
            throw new Unsupported("OpenAIClientBuilder reads no AZURE_OPENAI_* variables; the endpoint and key are "
                    + "given to the builder (sdk-behaviour §4.3)");
        }
        if (call.path("surface").asText().equals("v1")) {
            throw new Unsupported("azure-ai-openai's non-Azure client is bound to https://api.openai.com/v1; it "
                    + "cannot be pointed at {endpoint}/openai/v1/ (NonAzureOpenAIClientImpl)");
        }
        JsonNode settings = call.path("settings");
        HttpClientOptions options = new HttpClientOptions();
        if (settings.hasNonNull("timeout")) {
            Duration timeout = Duration.ofMillis(Math.round(settings.get("timeout").asDouble() * 1000));
            options.setResponseTimeout(timeout).setReadTimeout(timeout);  // per attempt
        }
        HttpHeaders headers = new HttpHeaders();
        call.path("headers").fields().forEachRemaining(h -> headers.set(HttpHeaderName.fromString(h.getKey()),
                h.getValue().asText()));
        RetryOptions retry = new RetryOptions(new ExponentialBackoffOptions());
        if (settings.hasNonNull("max_retries")) {
            retry = new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(settings.get("max_retries").asInt()));
        }
        OpenAIClientBuilder builder = new OpenAIClientBuilder().endpoint(endpoint);
        if (endpoint.startsWith("http://")) {
            headers.set(HttpHeaderName.fromString("api-key"), key);
            HttpPipeline pipeline = new HttpPipelineBuilder()
                    .httpClient(jdkClient(options))
                    .policies(new AddHeadersPolicy(headers), new RetryPolicy(retry), counter)
                    .build();
            return builder.pipeline(pipeline).buildClient();
        }
        builder.clientOptions(options).retryOptions(retry).addPolicy(new AddHeadersPolicy(headers)).addPolicy(counter);
        if (auth.equals("token")) {
            TokenCredential token = request -> Mono.just(new AccessToken(key, OffsetDateTime.now().plusHours(1)));
            builder.credential(token);
        } else {
            builder.credential(new AzureKeyCredential(key));
        }
        return builder.buildClient();
    }

    static ChatCompletionsOptions chatOptions(JsonNode call) {
        List<ChatRequestMessage> messages = new ArrayList<>();
        messages.add(new ChatRequestUserMessage(PROMPT));
        ChatCompletionsOptions options = new ChatCompletionsOptions(messages);
        JsonNode maxTokens = call.path("params").path("max_tokens");
        if (maxTokens.isNumber()) {
            options.setMaxTokens(maxTokens.asInt());
        }
        return options;
    }

    static void perform(OpenAIClient client, JsonNode call, Map<String, Object> result) {
        String deployment = call.path("deployment").asText();
        switch (call.path("operation").asText()) {
            case "embeddings" -> result.put("vectors",
                    client.getEmbeddings(deployment, new EmbeddingsOptions(List.of("hello"))).getData().size());
            case "chat" -> {
                ChatCompletions res = client.getChatCompletions(deployment, chatOptions(call));
                if (!res.getChoices().isEmpty()) {
                    ChatChoice choice = res.getChoices().get(0);
                    result.put("content", choice.getMessage().getContent());
                    result.put("finish_reason", String.valueOf(choice.getFinishReason()));
                }
            }
            case "chat_stream" -> {
                int chunks = 0;
                StringBuilder content = new StringBuilder();
                try {
                    for (ChatCompletions chunk : client.getChatCompletionsStream(deployment, chatOptions(call))) {
                        chunks++;
                        if (CoreUtils.isNullOrEmpty(chunk.getChoices())) {
                            continue;
                        }
                        ChatChoice choice = chunk.getChoices().get(0);
                        if (choice.getDelta() != null && choice.getDelta().getContent() != null) {
                            content.append(choice.getDelta().getContent());
                        }
                        if (choice.getFinishReason() != null) {
                            result.put("finish_reason", choice.getFinishReason().toString());
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

    /** The exception's class, and for service errors its status, code and request id. */
    static void describe(Throwable err, Map<String, Object> out) {
        Throwable shown = err;
        while (!(shown instanceof HttpResponseException) && shown.getCause() != null
                && shown.getClass().getName().startsWith("reactor.")) {
            shown = shown.getCause();  // Reactor wraps checked exceptions; the SDK's own class is inside
        }
        out.put("error_class", shown.getClass().getSimpleName());
        if (shown instanceof HttpResponseException api && api.getResponse() != null) {
            out.put("status", api.getResponse().getStatusCode());
            out.put("request_id", api.getResponse().getHeaderValue(HttpHeaderName.fromString("x-request-id")));
            if (api.getValue() instanceof Map<?, ?> body && body.get("error") instanceof Map<?, ?> error) {
                out.put("code", error.get("code") == null ? null : String.valueOf(error.get("code")));
            }
        }
        String message = String.valueOf(shown.getMessage());
        out.put("message", message.length() > 200 ? message.substring(0, 200) : message);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("samples")) {
            System.exit(Samples.run());
        }
        if (args.length > 0 && args[0].equals("h2c")) {
            System.exit(H2c.run());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> result = new LinkedHashMap<>();
        out.put("driver", "java-azure");
        out.put("sdk", "azure-ai-openai-java");
        out.put("sdk_version", version());
        out.put("runtime", "Java " + System.getProperty("java.version"));
        out.put("ok", true);
        out.put("result", result);
        ObjectMapper mapper = new ObjectMapper();
        long started = System.nanoTime();
        Counter counter = new Counter();
        try {
            JsonNode call = mapper.readTree(System.in);
            perform(makeClient(call, counter), call, result);
        } catch (Exception err) {
            out.put("ok", false);
            describe(err, out);
        }
        out.put("attempts", counter.attempts.get());
        out.put("elapsed", (System.nanoTime() - started) / 1e9);
        System.out.println(mapper.writeValueAsString(out));
        System.out.flush();
        System.exit(0);  // the transports' threads need not linger
    }
}
