// The Responses API through the openai npm package, as a user's code calls it (tests/test_responses_node.py):
// create, retrieve, input items, the stream helper's final response, a tool call and its second turn,
// structured output, background and cancel, delete. Reads {endpoint, api_key, surface} on stdin and
// prints what it saw as one JSON object; the openai package comes from AOAI_CONFORMANCE_NODE_MODULES.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const require = createRequire(path.join(process.env.AOAI_CONFORMANCE_NODE_MODULES, "index.js"));
const { AzureOpenAI, OpenAI } = require("openai");
const call = JSON.parse(readFileSync(0, "utf8"));
const endpoint = call.endpoint.replace(/\/+$/, "");
const client = call.surface === "v1"
  ? new OpenAI({ baseURL: `${endpoint}/openai/v1/`, apiKey: call.api_key, maxRetries: 0 })
  : new AzureOpenAI({ endpoint, apiKey: call.api_key, apiVersion: "2025-04-01-preview", maxRetries: 0 });
const model = "gpt-4o-mini";
const weather = {
  type: "function", name: "get_weather", description: "The weather at a place", strict: true,
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
};
const seen = {};

const created = await client.responses.create({ model, input: "Tell me about tropical fruit" });
seen.created = { id: created.id, status: created.status, text: created.output_text };
seen.retrieved = (await client.responses.retrieve(created.id)).output_text === created.output_text;
seen.items = (await client.responses.inputItems.list(created.id)).data.map((item) => item.content[0].text);

const stream = client.responses.stream({ model, input: "Say hello" });
const kinds = [];
for await (const event of stream) kinds.push(event.type);
const final = await stream.finalResponse();
seen.stream = { first: kinds[0], last: kinds[kinds.length - 1], status: final.status, text: final.output_text };

const first = await client.responses.create({ model, input: "Weather in Oslo?", tools: [weather] });
const fc = first.output[0];
const second = await client.responses.create({
  model, previous_response_id: first.id, tools: [weather],
  input: [{ type: "function_call_output", call_id: fc.call_id, output: "12 C, windy" }],
});
seen.tools = { first: fc.type, args: JSON.parse(fc.arguments), second: second.output[0].type, chained: second.previous_response_id === first.id };

const schema = { type: "object", properties: { animals: { type: "array", items: { type: "string" } } }, required: ["animals"], additionalProperties: false };
const structured = await client.responses.create({ model, input: "Five animals", text: { format: { type: "json_schema", name: "animals", schema } } });
seen.structured = JSON.parse(structured.output_text);

const job = await client.responses.create({ model, input: "A long report", background: true });
seen.background = { created: job.status, cancelled: (await client.responses.cancel(job.id)).status };

await client.responses.delete(created.id);
try {
  await client.responses.retrieve(created.id);
  seen.deleted = "still there";
} catch (err) {
  seen.deleted = err.status;
}
process.stdout.write(JSON.stringify(seen) + "\n");
