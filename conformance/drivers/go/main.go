// The conformance suite's Go driver: reads one Call as JSON on stdin, runs it with openai-go
// (github.com/openai/openai-go/v3: its azure package on the classic surface, a plain client on
// the v1 surface) and prints one Outcome as JSON on stdout. The protocol is
// conformance/drivers/__init__.py's Call and Outcome; built by conformance/drivers/go_openai.py.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/azure"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/responses"
)

const module = "github.com/openai/openai-go/v3"

type call struct {
	Operation  string            `json:"operation"`
	Endpoint   string            `json:"endpoint"`
	Deployment string            `json:"deployment"`
	APIKey     string            `json:"api_key"`
	APIVersion string            `json:"api_version"`
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

// errUnsupported reports a Call that openai-go cannot express (e.g. auth from the environment).
type errUnsupported struct{ what string }

func (e *errUnsupported) Error() string { return e.what }

func sdkVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == module {
				return strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	return "unknown"
}

func makeClient(c call, attempts *atomic.Int64) (openai.Client, error) {
	endpoint := strings.TrimRight(c.Endpoint, "/")
	var opts []option.RequestOption
	switch {
	case c.Surface == "v1":
		opts = append(opts, option.WithBaseURL(endpoint+"/openai/v1/"), option.WithAPIKey(c.APIKey))
	case c.Auth == "env":
		return openai.Client{}, &errUnsupported{"openai-go's azure package reads no environment variables (sdk-behaviour §3.3)"}
	default:
		opts = append(opts, azure.WithEndpoint(endpoint, c.APIVersion))
		if c.Auth == "token" {
			opts = append(opts, azure.WithTokenCredential(staticToken(c.APIKey)))
		} else {
			opts = append(opts, azure.WithAPIKey(c.APIKey))
		}
		if strings.HasPrefix(strings.ToLower(endpoint), "http://") {
			opts = append(opts, azure.WithUnsafeAllowHTTP())
		}
	}
	// the SDK's middleware runs once per attempt (retries included): count what it sends
	opts = append(opts, option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		attempts.Add(1)
		return next(r)
	}))
	if v, ok := c.Settings["max_retries"].(float64); ok {
		opts = append(opts, option.WithMaxRetries(int(v)))
	}
	if v, ok := c.Settings["timeout"].(float64); ok {
		opts = append(opts, option.WithRequestTimeout(time.Duration(v*float64(time.Second))))
	}
	// after the azure options: switching a client to Azure drops headers set before it
	for k, v := range c.Headers {
		opts = append(opts, option.WithHeader(k, v))
	}
	return openai.NewClient(opts...), nil
}

func chatParams(c call) openai.ChatCompletionNewParams {
	params := openai.ChatCompletionNewParams{
		Model:    c.Deployment,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello in five words.")},
	}
	if v, ok := c.Params["max_tokens"].(float64); ok {
		params.MaxTokens = openai.Int(int64(v))
	}
	return params
}

func responseParams(c call) responses.ResponseNewParams {
	params := responses.ResponseNewParams{
		Model: c.Deployment,
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hello in five words.")},
	}
	if v, ok := c.Params["max_output_tokens"].(float64); ok {
		params.MaxOutputTokens = openai.Int(int64(v))
	}
	return params
}

// performResponses runs the Responses operations: create (then retrieve the new id at once), or a
// stream whose events it counts, noting the last and whether one was response.completed.
func performResponses(ctx context.Context, client openai.Client, c call, result map[string]any) error {
	if c.Operation == "responses_stream" {
		stream := client.Responses.NewStreaming(ctx, responseParams(c))
		defer stream.Close()
		events, last, completed := 0, "", false
		for stream.Next() {
			events++
			last = stream.Current().Type
			completed = completed || last == "response.completed"
		}
		result["events"], result["last"], result["completed"] = events, last, completed
		return stream.Err()
	}
	res, err := client.Responses.New(ctx, responseParams(c))
	if err != nil {
		return err
	}
	result["status"] = string(res.Status)
	if c.Operation == "responses_retrieve" {
		got, err := client.Responses.Get(ctx, res.ID, responses.ResponseGetParams{})
		if err != nil {
			return err
		}
		result["retrieved"] = got.ID == res.ID
	}
	return nil
}

func perform(ctx context.Context, client openai.Client, c call, result map[string]any) error {
	if strings.HasPrefix(c.Operation, "responses") {
		return performResponses(ctx, client, c, result)
	}
	switch c.Operation {
	case "embeddings":
		res, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
			Model: c.Deployment,
			Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"hello"}},
		})
		if err != nil {
			return err
		}
		result["vectors"] = len(res.Data)
		return nil
	case "chat":
		res, err := client.Chat.Completions.New(ctx, chatParams(c))
		if err != nil {
			return err
		}
		if len(res.Choices) > 0 {
			result["content"] = res.Choices[0].Message.Content
			result["finish_reason"] = res.Choices[0].FinishReason
		}
		return nil
	case "chat_stream":
		stream := client.Chat.Completions.NewStreaming(ctx, chatParams(c))
		defer stream.Close()
		chunks, content := 0, ""
		for stream.Next() {
			chunks++
			chunk := stream.Current()
			if len(chunk.Choices) > 0 {
				content += chunk.Choices[0].Delta.Content
				if chunk.Choices[0].FinishReason != "" {
					result["finish_reason"] = chunk.Choices[0].FinishReason
				}
			}
		}
		result["chunks"], result["content"] = chunks, content
		return stream.Err()
	}
	return &errUnsupported{"unknown operation " + c.Operation}
}

func ptr[T any](v T) *T { return &v }

func describe(err error, out *outcome) {
	var apiErr *openai.Error
	var streamErr *ssestream.StreamError
	var unsupported *errUnsupported
	switch {
	case errors.As(err, &apiErr):
		out.ErrorClass = ptr("Error")
		out.Status = ptr(apiErr.StatusCode)
		if apiErr.Code != "" {
			out.Code = ptr(apiErr.Code)
		}
		if apiErr.Response != nil {
			if id := apiErr.Response.Header.Get("x-request-id"); id != "" {
				out.RequestID = ptr(id)
			}
		}
	case errors.As(err, &streamErr):
		out.ErrorClass = ptr("StreamError")
	case errors.As(err, &unsupported):
		out.ErrorClass = ptr("Unsupported")
	case errors.Is(err, context.DeadlineExceeded):
		out.ErrorClass = ptr("context.DeadlineExceeded") // e.g. a per-attempt WithRequestTimeout
	default:
		out.ErrorClass = ptr(strings.TrimPrefix(fmt.Sprintf("%T", err), "*"))
	}
	message := err.Error()
	if apiErr != nil && apiErr.Message != "" {
		message = apiErr.Message
	}
	if len(message) > 200 {
		message = message[:200]
	}
	out.Message = ptr(message)
}

func main() {
	out := outcome{
		Driver: "go", SDK: "openai-go", SDKVersion: sdkVersion(),
		Runtime: "Go " + strings.TrimPrefix(runtime.Version(), "go"), OK: true, Result: map[string]any{},
	}
	var c call
	started := time.Now()
	var attempts atomic.Int64
	err := json.NewDecoder(os.Stdin).Decode(&c)
	if err == nil {
		var client openai.Client
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
