// The seed samples of azopenai v0.7.2 (its example_client_*_test.go: chat, streaming chat, chat with
// an image part, embeddings, image generation with a HEAD on the URL, legacy completions, speech,
// transcription), as a user runs them: the examples' environment variables for endpoint, key and
// deployment, a key credential, and nil client options. The speech example targets api.openai.com
// with NewClientForOpenAI, which cannot reach an Azure resource (sdk-behaviour §8); here it uses
// the Azure client like the others, and the transcription sample transcribes the speech sample's FLAC.
// Each sample prints one JSON line: {"sample", "ok", "detail", "error"}.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/ai/azopenai"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
)

type sample struct {
	name   string
	prefix string // the example's environment variables: <prefix>_ENDPOINT, _API_KEY, _MODEL
	run    func(ctx context.Context, client *azopenai.Client, deployment string) (string, error)
}

var speech []byte // the speech sample's FLAC, transcribed by the transcription sample

var samples = []sample{
	{"chat", "AOAI_CHAT_COMPLETIONS", sampleChat},
	{"chat_stream", "AOAI_CHAT_COMPLETIONS", sampleChatStream},
	{"chat_image", "AOAI_VISION", sampleVision},
	{"embeddings", "AOAI_EMBEDDINGS", sampleEmbeddings},
	{"image_url_head", "AOAI_DALLE", sampleImage},
	{"completions", "AOAI_COMPLETIONS", sampleCompletions},
	{"speech_flac", "AOAI_TTS", sampleSpeech},
	{"transcription", "AOAI_WHISPER", sampleTranscription},
}

func pirate() []azopenai.ChatRequestMessageClassification {
	return []azopenai.ChatRequestMessageClassification{
		&azopenai.ChatRequestSystemMessage{Content: azopenai.NewChatRequestSystemMessageContent("You are a helpful assistant. You will talk like a pirate.")},
		&azopenai.ChatRequestUserMessage{Content: azopenai.NewChatRequestUserMessageContent("Can you help me?")},
		&azopenai.ChatRequestAssistantMessage{Content: azopenai.NewChatRequestAssistantMessageContent("Arrrr! Of course, me hearty! What can I do for ye?")},
		&azopenai.ChatRequestUserMessage{Content: azopenai.NewChatRequestUserMessageContent("What's the best way to train a parrot?")},
	}
}

func sampleChat(ctx context.Context, client *azopenai.Client, deployment string) (string, error) {
	resp, err := client.GetChatCompletions(ctx, azopenai.ChatCompletionsOptions{Messages: pirate(), DeploymentName: &deployment}, nil)
	if err != nil {
		return "", err
	}
	choice := resp.Choices[0]
	if choice.ContentFilterResults == nil || choice.ContentFilterResults.Hate == nil || *choice.ContentFilterResults.Hate.Filtered {
		return "", errors.New("no hate filter verdict on the choice")
	}
	return fmt.Sprintf("%s (finish %s)", *choice.Message.Content, *choice.FinishReason), nil
}

func sampleChatStream(ctx context.Context, client *azopenai.Client, deployment string) (string, error) {
	resp, err := client.GetChatCompletionsStream(ctx, azopenai.ChatCompletionsStreamOptions{
		Messages: pirate(), N: to.Ptr[int32](1), DeploymentName: &deployment,
	}, nil)
	if err != nil {
		return "", err
	}
	defer resp.ChatCompletionsStream.Close()
	text, events := "", 0
	for {
		chunk, err := resp.ChatCompletionsStream.Read()
		if errors.Is(err, io.EOF) {
			return fmt.Sprintf("%d events: %s", events, text), nil
		}
		if err != nil {
			return "", err
		}
		events++
		for _, choice := range chunk.Choices {
			if choice.Delta.Content != nil {
				text += *choice.Delta.Content
			}
		}
	}
}

func sampleVision(ctx context.Context, client *azopenai.Client, deployment string) (string, error) {
	imageURL := "https://www.bing.com/th?id=OHR.BradgateFallow_EN-US3932725763_1920x1080.jpg"
	content := azopenai.NewChatRequestUserMessageContent([]azopenai.ChatCompletionRequestMessageContentPartClassification{
		&azopenai.ChatCompletionRequestMessageContentPartText{Text: to.Ptr("Describe this image")},
		&azopenai.ChatCompletionRequestMessageContentPartImage{ImageURL: &azopenai.ChatCompletionRequestMessageContentPartImageURL{URL: &imageURL}},
	})
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	resp, err := client.GetChatCompletions(ctx, azopenai.ChatCompletionsOptions{
		Messages:       []azopenai.ChatRequestMessageClassification{&azopenai.ChatRequestUserMessage{Content: content}},
		MaxTokens:      to.Ptr[int32](512),
		DeploymentName: &deployment,
	}, nil)
	if err != nil {
		return "", err
	}
	return *resp.Choices[0].Message.Content, nil
}

func sampleEmbeddings(ctx context.Context, client *azopenai.Client, deployment string) (string, error) {
	resp, err := client.GetEmbeddings(ctx, azopenai.EmbeddingsOptions{
		Input: []string{"The food was delicious and the waiter..."}, DeploymentName: &deployment,
	}, nil)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d embeddings of %d dimensions", len(resp.Data), len(resp.Data[0].Embedding)), nil
}

func sampleImage(ctx context.Context, client *azopenai.Client, deployment string) (string, error) {
	resp, err := client.GetImageGenerations(ctx, azopenai.ImageGenerationOptions{
		Prompt: to.Ptr("a cat"), ResponseFormat: to.Ptr(azopenai.ImageGenerationResponseFormatURL), DeploymentName: &deployment,
	}, nil)
	if err != nil {
		return "", err
	}
	url := *resp.Data[0].URL
	head, err := http.Head(url) // the default client: trusts what SSL_CERT_FILE names
	if err != nil {
		return "", err
	}
	_ = head.Body.Close()
	if head.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HEAD %s returned %d", url, head.StatusCode)
	}
	return fmt.Sprintf("HEAD %s: %d %s", url, head.StatusCode, head.Header.Get("Content-Type")), nil
}

func sampleCompletions(ctx context.Context, client *azopenai.Client, deployment string) (string, error) {
	resp, err := client.GetCompletions(ctx, azopenai.CompletionsOptions{
		Prompt: []string{"What is Azure OpenAI, in 20 words or less"}, MaxTokens: to.Ptr(int32(2048)),
		Temperature: to.Ptr(float32(0.0)), DeploymentName: &deployment,
	}, nil)
	if err != nil {
		return "", err
	}
	return *resp.Choices[0].Text, nil
}

func sampleSpeech(ctx context.Context, client *azopenai.Client, deployment string) (string, error) {
	resp, err := client.GenerateSpeechFromText(ctx, azopenai.SpeechGenerationOptions{
		Input: to.Ptr("i am a computer"), Voice: to.Ptr(azopenai.SpeechVoiceAlloy),
		ResponseFormat: to.Ptr(azopenai.SpeechGenerationResponseFormatFlac), DeploymentName: &deployment,
	}, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if speech, err = io.ReadAll(resp.Body); err != nil {
		return "", err
	}
	if !strings.HasPrefix(string(speech), "fLaC") {
		return "", fmt.Errorf("%d bytes that are not FLAC", len(speech))
	}
	return fmt.Sprintf("%d bytes of FLAC audio", len(speech)), nil
}

func sampleTranscription(ctx context.Context, client *azopenai.Client, deployment string) (string, error) {
	if speech == nil {
		return "", errors.New("no audio: the speech sample did not run")
	}
	resp, err := client.GetAudioTranscription(ctx, azopenai.AudioTranscriptionOptions{
		File: speech, Filename: to.Ptr("speech.flac"),
		ResponseFormat: to.Ptr(azopenai.AudioTranscriptionFormatText), DeploymentName: &deployment,
	}, nil)
	if err != nil {
		return "", err
	}
	return *resp.Text, nil
}

func runSamples() int {
	failed := 0
	for _, s := range samples {
		line := map[string]any{"sample": s.name, "ok": false}
		endpoint, key, deployment := os.Getenv(s.prefix+"_ENDPOINT"), os.Getenv(s.prefix+"_API_KEY"), os.Getenv(s.prefix+"_MODEL")
		client, err := azopenai.NewClientWithKeyCredential(endpoint, azcore.NewKeyCredential(key), nil)
		var detail string
		if err == nil {
			detail, err = s.run(context.Background(), client, deployment)
		}
		if err != nil {
			failed++
			line["error"] = err.Error()
		} else {
			line["ok"], line["detail"] = true, detail
		}
		data, _ := json.Marshal(line)
		fmt.Println(string(data))
	}
	return failed
}
