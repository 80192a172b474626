// The conformance suite's Node.js driver: reads one Call as JSON on stdin, runs it with the openai
// npm package (AzureOpenAI, or plain OpenAI on the v1 surface) and prints one Outcome as JSON.
// The protocol is conformance/drivers/__init__.py's Call and Outcome. The openai package is loaded
// from AOAI_CONFORMANCE_NODE_MODULES (the cache directory the Python side installed it into).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const modules = process.env.AOAI_CONFORMANCE_NODE_MODULES;
const require = createRequire(path.join(modules, "index.js"));
const { AzureOpenAI, OpenAI, toFile } = require("openai");
const sdkVersion = JSON.parse(readFileSync(path.join(modules, "node_modules", "openai", "package.json"), "utf8")).version;
const MESSAGES = [{ role: "user", content: "Say hello in five words." }];

function clientOptions(call, attempts) {
  // the SDK's fetch, counting every request it sends (retries included); not the `data:,` URL it
  // fetches once to probe FormData support before its first multipart upload (internal/uploads.js)
  const countingFetch = (url, init) => {
    if (!String(url).startsWith("data:")) attempts.count += 1;
    return fetch(url, init);
  };
  const options = { defaultHeaders: call.headers, fetch: countingFetch };
  if (call.settings.max_retries !== undefined && call.settings.max_retries !== null) options.maxRetries = call.settings.max_retries;
  if (call.settings.timeout !== undefined && call.settings.timeout !== null) options.timeout = Math.round(call.settings.timeout * 1000);
  return options;
}

function makeClient(call, attempts) {
  const options = clientOptions(call, attempts);
  const endpoint = call.endpoint.replace(/\/+$/, "");
  if (call.surface === "v1") return new OpenAI({ baseURL: `${endpoint}/openai/v1/`, apiKey: call.api_key, ...options });
  if (call.auth === "env") return new AzureOpenAI(options); // AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION
  if (call.auth === "token") {
    return new AzureOpenAI({ endpoint, apiVersion: call.api_version, azureADTokenProvider: async () => call.api_key, ...options });
  }
  return new AzureOpenAI({ endpoint, apiKey: call.api_key, apiVersion: call.api_version, ...options });
}

const BATCH_TERMINAL = ["completed", "failed", "cancelled", "expired"];

// upload, create, poll to the end, download and parse, list, cancel a second batch, delete the input:
// what a batch job's code does
async function poll(client, batch) {
  const giveUp = Date.now() + 120000;
  while (!BATCH_TERMINAL.includes(batch.status) && Date.now() < giveUp) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    batch = await client.batches.retrieve(batch.id);
  }
  return batch;
}

async function batchFlow(client, call, result) {
  const file = await toFile(Buffer.from(call.params.input, "utf8"), "requests.jsonl");
  const uploaded = await client.files.create({ file, purpose: "batch" });
  const request = { input_file_id: uploaded.id, endpoint: "/v1/chat/completions", completion_window: "24h" };
  const batch = await poll(client, await client.batches.create(request));
  const text = async (id) => (id ? await (await client.files.content(id)).text() : "");
  const rows = (body) => body.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
  result.status = batch.status;
  result.output = rows(await text(batch.output_file_id)).map((row) => row.custom_id).sort();
  result.errors = rows(await text(batch.error_file_id))
    .map((row) => [row.custom_id, row.response ? row.response.status_code : null])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const listed = [];
  for await (const item of client.batches.list()) listed.push(item.id);
  result.listed = listed.includes(batch.id);
  const second = await client.batches.create(request);
  const cancelling = await client.batches.cancel(second.id);
  result.cancel = [cancelling.status, (await poll(client, second)).status];
  result.deleted = (await client.files.delete(uploaded.id)).deleted;
}

// the Responses operations: create; a stream (count the events, the last, whether it completed);
// create then retrieve the new id at once
async function responses(client, call, result) {
  const request = { model: call.deployment, input: "Say hello in five words.", ...call.params };
  if (call.operation === "responses_stream") {
    Object.assign(result, { events: 0, last: null, completed: false });
    const stream = await client.responses.create({ ...request, stream: true });
    for await (const event of stream) {
      result.events += 1;
      result.last = event.type;
      if (event.type === "response.completed") result.completed = true;
    }
    return;
  }
  const created = await client.responses.create(request);
  result.status = created.status;
  if (call.operation === "responses_retrieve") result.retrieved = (await client.responses.retrieve(created.id)).id === created.id;
}

async function perform(client, call, result) {
  if (call.operation.startsWith("responses")) {
    await responses(client, call, result);
    return;
  }
  if (call.operation === "batch") {
    await batchFlow(client, call, result);
    return;
  }
  if (call.operation === "embeddings") {
    const response = await client.embeddings.create({ model: call.deployment, input: ["hello"], ...call.params });
    result.vectors = response.data.length;
    return;
  }
  const params = { model: call.deployment, messages: MESSAGES, ...call.params };
  if (call.operation === "chat") {
    const response = await client.chat.completions.create(params);
    result.content = response.choices[0].message.content;
    result.finish_reason = response.choices[0].finish_reason;
    return;
  }
  result.chunks = 0;
  result.content = "";
  const stream = await client.chat.completions.create({ ...params, stream: true });
  for await (const chunk of stream) {
    result.chunks += 1;
    const choice = chunk.choices && chunk.choices[0];
    if (choice) {
      result.content += (choice.delta && choice.delta.content) || "";
      if (choice.finish_reason) result.finish_reason = choice.finish_reason;
    }
  }
}

async function main() {
  const call = JSON.parse(readFileSync(0, "utf8"));
  const outcome = { driver: "node", sdk: "openai-node", sdk_version: sdkVersion, runtime: `Node ${process.version}`, ok: true, result: {} };
  const started = performance.now();
  const attempts = { count: 0 };
  try {
    await perform(makeClient(call, attempts), call, outcome.result);
  } catch (err) {
    outcome.ok = false;
    outcome.error_class = (err && err.constructor && err.constructor.name) || typeof err;
    outcome.status = typeof err.status === "number" ? err.status : null;
    outcome.code = err.code === undefined || err.code === null ? null : String(err.code);
    outcome.message = String(err.message || err).slice(0, 200);
    outcome.request_id = err.requestID || err.request_id || null;
  }
  outcome.attempts = attempts.count;
  outcome.elapsed = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify(outcome) + "\n");
}

main();
