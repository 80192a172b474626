// The conformance suite's driver for the Azure-maintained legacy Go SDK,
// github.com/Azure/azure-sdk-for-go/sdk/ai/azopenai v0.7.2 on azcore: reads one Call as JSON on stdin,
// runs it and prints one Outcome as JSON on stdout (conformance/drivers/__init__.py's protocol; built by
// conformance/drivers/go_azopenai.py). With the argument "samples" it runs the SDK's seed samples
// instead (samples.go), one JSON line each.
//
// The client trusts the mock's CA through SSL_CERT_FILE (Go's crypto/x509 on Linux): no client option
// is needed for https. Over plain http azcore refuses to send the credential unless
// InsecureAllowCredentialWithHTTP is set (sdk-behaviour §8); the driver sets it for http endpoints only.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/ai/azopenai"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
)

const module = "github.com/Azure/azure-sdk-for-go/sdk/ai/azopenai"

type call struct {
	Operation  string            `json:"operation"`
	Endpoint   string            `json:"endpoint"`
	Deployment string            `json:"deployment"`
	APIKey     string            `json:"api_key"`
	Surface    string            `json:"surface"`
	Auth       string            `json:"auth"`
	Params     map[string]any    `json:"params"`
	Headers    map[string]string `json:"headers"`
	Settings   map[string]any    `json:"settings"`
}

type outcome struct {
	Driver     string         `json:"driver"`
	SDK        string         `json:"sdk"`
	SDKVersion string         `json:"sdk_version"`
	Runtime    string         `json:"runtime"`
	OK         bool           `json:"ok"`
	ErrorClass *string        `json:"error_class"`
	Status     *int           `json:"status"`
	Code       *string        `json:"code"`
	Message    *string        `json:"message"`
	RequestID  *string        `json:"request_id"`
	Result     map[string]any `json:"result"`
	Attempts   int64          `json:"attempts"`
	Elapsed    float64        `json:"elapsed"`
}

// staticToken is an azcore.TokenCredential that always hands out the Call's token.
type staticToken string

func (t staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// errUnsupported reports a Call that azopenai cannot express.
type errUnsupported struct{ what string }

func (e *errUnsupported) Error() string { return e.what }

// counter is a per-retry policy: it runs once for every attempt azcore's retry policy makes.
type counter struct{ attempts *atomic.Int64 }

func (c counter) Do(req *policy.Request) (*http.Response, error) {
	c.attempts.Add(1)
	return req.Next()
}

// headers is a per-call policy adding the Call's default headers (the mock's session id).
type headers map[string]string

func (h headers) Do(req *policy.Request) (*http.Response, error) {
	for k, v := range h {
		req.Raw().Header.Set(k, v)
	}
	return req.Next()
}

func depVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == path {
				return strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	return "unknown"
}

func options(c call, attempts *atomic.Int64) *azopenai.ClientOptions {
	opts := &azopenai.ClientOptions{}
	opts.PerCallPolicies = []policy.Policy{headers(c.Headers)}
	opts.PerRetryPolicies = []policy.Policy{counter{attempts}}
	if v, ok := c.Settings["max_retries"].(float64); ok {
		opts.Retry.MaxRetries = int32(v)
		if v == 0 {
			opts.Retry.MaxRetries = -1 // azcore: 0 means its default of 3, negative means none
		}
	}
	if v, ok := c.Settings["timeout"].(float64); ok {
		opts.Retry.TryTimeout = time.Duration(v * float64(time.Second)) // per attempt
	}
	if strings.HasPrefix(strings.ToLower(c.Endpoint), "http://") {
		opts.InsecureAllowCredentialWithHTTP = true
	}
	return opts
}

func makeClient(c call, attempts *atomic.Int64) (*azopenai.Client, error) {
	endpoint := strings.TrimRight(c.Endpoint, "/")
	opts := options(c, attempts)
	switch {
	case c.Auth == "env":
		return nil, &errUnsupported{"azopenai reads no environment variables; its samples read their own (sdk-behaviour §4.2)"}
	case c.Surface == "v1":
		return azopenai.NewClientForOpenAI(endpoint+"/openai/v1", azcore.NewKeyCredential(c.APIKey), opts)
	case c.Auth == "token":
		return azopenai.NewClient(endpoint, staticToken(c.APIKey), opts)
	}
	return azopenai.NewClientWithKeyCredential(endpoint, azcore.NewKeyCredential(c.APIKey), opts)
}

func messages() []azopenai.ChatRequestMessageClassification {
	return []azopenai.ChatRequestMessageClassification{
		&azopenai.ChatRequestUserMessage{Content: azopenai.NewChatRequestUserMessageContent("Say hello in five words.")},
	}
}

func maxTokens(c call) *int32 {
	if v, ok := c.Params["max_tokens"].(float64); ok {
		return to.Ptr(int32(v))
	}
	return nil
}

func perform(ctx context.Context, client *azopenai.Client, c call, result map[string]any) error {
	switch c.Operation {
	case "embeddings":
		res, err := client.GetEmbeddings(ctx, azopenai.EmbeddingsOptions{
			Input: []string{"hello"}, DeploymentName: to.Ptr(c.Deployment),
		}, nil)
		if err != nil {
			return err
		}
		result["vectors"] = len(res.Data)
		return nil
	case "chat":
		res, err := client.GetChatCompletions(ctx, azopenai.ChatCompletionsOptions{
			Messages: messages(), DeploymentName: to.Ptr(c.Deployment), MaxTokens: maxTokens(c),
		}, nil)
		if err != nil {
			return err
		}
		if len(res.Choices) > 0 && res.Choices[0].Message != nil && res.Choices[0].Message.Content != nil {
			result["content"] = *res.Choices[0].Message.Content
		}
		if len(res.Choices) > 0 && res.Choices[0].FinishReason != nil {
			result["finish_reason"] = string(*res.Choices[0].FinishReason)
		}
		return nil
	case "chat_stream":
		res, err := client.GetChatCompletionsStream(ctx, azopenai.ChatCompletionsStreamOptions{
			Messages: messages(), DeploymentName: to.Ptr(c.Deployment), MaxTokens: maxTokens(c),
		}, nil)
		if err != nil {
			return err
		}
		defer res.ChatCompletionsStream.Close()
		chunks, content := 0, ""
		defer func() { result["chunks"], result["content"] = chunks, content }()
		for {
			chunk, err := res.ChatCompletionsStream.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			chunks++
			for _, choice := range chunk.Choices {
				if choice.Delta != nil && choice.Delta.Content != nil {
					content += *choice.Delta.Content
				}
				if choice.FinishReason != nil {
					result["finish_reason"] = string(*choice.FinishReason)
				}
			}
		}
	}
	return &errUnsupported{"unknown operation " + c.Operation}
}

func ptr[T any](v T) *T { return &v }

func describe(err error, out *outcome) {
	var filtered *azopenai.ContentFilterResponseError
	var respErr *azcore.ResponseError
	var unsupported *errUnsupported
	message := err.Error()
	switch {
	case errors.As(err, &filtered):
		out.ErrorClass = ptr("ContentFilterResponseError")
		out.Status, out.Code = ptr(filtered.StatusCode), ptr(filtered.ErrorCode)
	case errors.As(err, &respErr):
		out.ErrorClass = ptr("ResponseError")
		out.Status = ptr(respErr.StatusCode)
		if respErr.ErrorCode != "" {
			out.Code = ptr(respErr.ErrorCode)
		}
		if respErr.RawResponse != nil {
			if id := respErr.RawResponse.Header.Get("x-request-id"); id != "" {
				out.RequestID = ptr(id)
			}
		}
	case errors.As(err, &unsupported):
		out.ErrorClass = ptr("Unsupported")
	case errors.Is(err, context.DeadlineExceeded):
		out.ErrorClass = ptr("context.DeadlineExceeded")
	case fmt.Sprintf("%T", err) == "*errors.errorString":
		out.ErrorClass = ptr(fmt.Sprintf("errors.New(%q)", message)) // the event reader's plain errors
	default:
		out.ErrorClass = ptr(strings.TrimPrefix(fmt.Sprintf("%T", err), "*"))
	}
	if len(message) > 200 {
		message = message[:200]
	}
	out.Message = ptr(message)
}

func newOutcome() outcome {
	return outcome{
		Driver: "go-azopenai", SDK: "azopenai-go", SDKVersion: depVersion(module),
		Runtime: "Go " + strings.TrimPrefix(runtime.Version(), "go") + ", azcore " + depVersion("github.com/Azure/azure-sdk-for-go/sdk/azcore"),
		OK:      true, Result: map[string]any{},
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "samples" {
		os.Exit(runSamples())
	}
	out := newOutcome()
	var c call
	started := time.Now()
	var attempts atomic.Int64
	err := json.NewDecoder(os.Stdin).Decode(&c)
	if err == nil {
		var client *azopenai.Client
		if client, err = makeClient(c, &attempts); err == nil {
			err = perform(context.Background(), client, c, out.Result)
		}
	}
	if err != nil {
		out.OK = false
		describe(err, &out)
	}
	out.Attempts = attempts.Load()
	out.Elapsed = time.Since(started).Seconds()
	data, _ := json.Marshal(out)
	fmt.Println(string(data))
}
