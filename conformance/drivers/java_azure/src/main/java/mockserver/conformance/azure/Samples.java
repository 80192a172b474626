// The seed samples of com.azure:azure-ai-openai (its README samples: chat, streaming chat, chat with
// an image part, embeddings, image generation, legacy completions, text to speech, transcription), as a
// user runs them: OpenAIClientBuilder with the endpoint and an AzureKeyCredential from the environment
// (AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_KEY, as Azure's Java quickstarts name them), nothing else; the
// deployments from AOAI_SAMPLE_<KIND>_DEPLOYMENT. Two steps beyond the README: a HEAD on the generated
// image URL (java.net.http, the JVM's truststore), and the speech sample's WAV is what is transcribed.
// Each sample prints one JSON line: {"sample", "ok", "detail", "error"}.
package mockserver.conformance.azure;

import com.azure.ai.openai.OpenAIClient;
import com.azure.ai.openai.OpenAIClientBuilder;
import com.azure.ai.openai.models.AudioTranscription;
import com.azure.ai.openai.models.AudioTranscriptionFormat;
import com.azure.ai.openai.models.AudioTranscriptionOptions;
import com.azure.ai.openai.models.ChatChoice;
import com.azure.ai.openai.models.ChatCompletions;
import com.azure.ai.openai.models.ChatCompletionsOptions;
import com.azure.ai.openai.models.ChatMessageImageContentItem;
import com.azure.ai.openai.models.ChatMessageImageUrl;
import com.azure.ai.openai.models.ChatMessageTextContentItem;
import com.azure.ai.openai.models.ChatRequestAssistantMessage;
import com.azure.ai.openai.models.ChatRequestMessage;
import com.azure.ai.openai.models.ChatRequestSystemMessage;
import com.azure.ai.openai.models.ChatRequestUserMessage;
import com.azure.ai.openai.models.Completions;
import com.azure.ai.openai.models.CompletionsOptions;
import com.azure.ai.openai.models.Embeddings;
import com.azure.ai.openai.models.EmbeddingsOptions;
import com.azure.ai.openai.models.ImageGenerationOptions;
import com.azure.ai.openai.models.ImageGenerations;
import com.azure.ai.openai.models.SpeechGenerationOptions;
import com.azure.ai.openai.models.SpeechGenerationResponseFormat;
import com.azure.ai.openai.models.SpeechVoice;
import com.azure.core.credential.AzureKeyCredential;
import com.azure.core.util.CoreUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

final class Samples {
    private static byte[] speech;  // the speech sample's WAV, transcribed by the transcription sample

    private Samples() {}

    static String deployment(String kind, String fallback) {
        String value = System.getenv("AOAI_SAMPLE_" + kind + "_DEPLOYMENT");
        return value == null || value.isEmpty() ? fallback : value;
    }

    static OpenAIClient client() {
        return new OpenAIClientBuilder()
                .credential(new AzureKeyCredential(System.getenv("AZURE_OPENAI_KEY")))
                .endpoint(System.getenv("AZURE_OPENAI_ENDPOINT"))
                .buildClient();
    }

    static List<ChatRequestMessage> pirate() {
        List<ChatRequestMessage> messages = new ArrayList<>();
        messages.add(new ChatRequestSystemMessage("You are a helpful assistant. You will talk like a pirate."));
        messages.add(new ChatRequestUserMessage("Can you help me?"));
        messages.add(new ChatRequestAssistantMessage("Of course, me hearty! What can I do for ye?"));
        messages.add(new ChatRequestUserMessage("What's the best way to train a parrot?"));
        return messages;
    }

    static String chat(OpenAIClient client) {
        ChatCompletions completions = client.getChatCompletions(deployment("CHAT", "gpt-4o"),
                new ChatCompletionsOptions(pirate()));
        ChatChoice choice = completions.getChoices().get(0);
        return choice.getMessage().getRole() + ": " + choice.getMessage().getContent();
    }

    static String chatStream(OpenAIClient client) {
        StringBuilder text = new StringBuilder();
        int[] events = {0};
        client.getChatCompletionsStream(deployment("CHAT", "gpt-4o"), new ChatCompletionsOptions(pirate()))
                .forEach(chunk -> {
                    events[0]++;
                    if (CoreUtils.isNullOrEmpty(chunk.getChoices())) {
                        return;
                    }
                    String content = chunk.getChoices().get(0).getDelta().getContent();
                    if (content != null) {
                        text.append(content);
                    }
                });
        return events[0] + " events: " + text;
    }

    static String chatImage(OpenAIClient client) {
        List<ChatRequestMessage> messages = new ArrayList<>();
        messages.add(new ChatRequestSystemMessage("You are a helpful assistant that describes images"));
        messages.add(new ChatRequestUserMessage(Arrays.asList(
                new ChatMessageTextContentItem("Please describe this image"),
                new ChatMessageImageContentItem(new ChatMessageImageUrl(
                        "https://upload.wikimedia.org/wikipedia/commons/thumb/4/44/Microsoft_logo.svg/512px-Microsoft_logo.svg.png")))));
        ChatCompletions completions = client.getChatCompletions(deployment("VISION", "gpt-4o"),
                new ChatCompletionsOptions(messages));
        return completions.getChoices().get(0).getMessage().getContent();
    }

    static String embeddings(OpenAIClient client) {
        Embeddings embeddings = client.getEmbeddings(deployment("EMBEDDINGS", "text-embedding-3-small"),
                new EmbeddingsOptions(Arrays.asList("Your text string goes here")));
        return embeddings.getData().size() + " embeddings of " + embeddings.getData().get(0).getEmbedding().size()
                + " dimensions";
    }

    static String imageUrlHead(OpenAIClient client) throws Exception {
        ImageGenerations images = client.getImageGenerations(deployment("IMAGES", "dall-e-3"),
                new ImageGenerationOptions("A drawing of the Seattle skyline in the style of Van Gogh"));
        String url = images.getData().get(0).getUrl();
        HttpResponse<Void> head = java.net.http.HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() != 200) {
            throw new IllegalStateException("HEAD " + url + " returned " + head.statusCode());
        }
        return "HEAD " + url + ": " + head.statusCode() + " " + head.headers().firstValue("content-type").orElse("");
    }

    static String completions(OpenAIClient client) {
        Completions completions = client.getCompletions(deployment("COMPLETIONS", "gpt-35-turbo-instruct"),
                new CompletionsOptions(List.of("Say this is a test")));
        return completions.getChoices().get(0).getText();
    }

    static String speechWav(OpenAIClient client) {
        SpeechGenerationOptions options = new SpeechGenerationOptions(
                "Today is a wonderful day to build something people love!", SpeechVoice.ALLOY)
                .setResponseFormat(SpeechGenerationResponseFormat.WAV);
        speech = client.generateSpeechFromText(deployment("SPEECH", "tts"), options).toBytes();
        String magic = new String(speech, 0, Math.min(4, speech.length), StandardCharsets.US_ASCII);
        if (!magic.equals("RIFF")) {
            throw new IllegalStateException(speech.length + " bytes that are not WAV");
        }
        return speech.length + " bytes of WAV audio";
    }

    static String transcription(OpenAIClient client) {
        if (speech == null) {
            throw new IllegalStateException("no audio: the speech sample did not run");
        }
        AudioTranscriptionOptions options = new AudioTranscriptionOptions(speech)
                .setResponseFormat(AudioTranscriptionFormat.JSON);
        AudioTranscription transcription = client.getAudioTranscription(deployment("TRANSCRIPTION", "whisper"),
                "speech.wav", options);
        return transcription.getText();
    }

    static int run() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        OpenAIClient client = client();
        Map<String, Callable<String>> samples = new LinkedHashMap<>();
        samples.put("chat", () -> chat(client));
        samples.put("chat_stream", () -> chatStream(client));
        samples.put("chat_image", () -> chatImage(client));
        samples.put("embeddings", () -> embeddings(client));
        samples.put("image_url_head", () -> imageUrlHead(client));
        samples.put("completions", () -> completions(client));
        samples.put("speech_wav", () -> speechWav(client));
        samples.put("transcription", () -> transcription(client));
        int failed = 0;
        for (Map.Entry<String, Callable<String>> sample : samples.entrySet()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("sample", sample.getKey());
            try {
                line.put("detail", sample.getValue().call());
                line.put("ok", true);
            } catch (Exception err) {
                failed++;
                line.put("ok", false);
                line.put("error", err.getClass().getSimpleName() + ": " + err.getMessage());
            }
            System.out.println(mapper.writeValueAsString(line));
        }
        System.out.flush();
        return failed;
    }
}
