#!/usr/bin/env node
// docs/examples/node_example.mjs: a tour of the ipfs-gateway API with Node.js (20 or later) and
// its built-in fetch, FormData and Blob; no npm packages.
//
// It registers a new account (a random email), uploads a small file, finds it in the listing,
// downloads it again, pins and unpins it, then uploads a large generated file, which the gateway
// answers with a task (202), follows the task until the file is stored and downloads that too.
// Every step prints one line; any unexpected answer stops the program with exit status 1 after
// printing the HTTP status, the error code and the request id.
//
// Environment (all optional):
//   GW_BASE_URL          the gateway (default https://localhost:8443, what `./gw up` serves)
//   NODE_EXTRA_CA_CERTS  a CA certificate to trust besides the system's, e.g. var/tls/cert.pem
//                        for `./gw up`'s self-signed one. Node reads it once, at start.
//   GW_CA_FILE           the same, named as in the other examples: the program then starts
//                        itself again with NODE_EXTRA_CA_CERTS set to it
//   GW_LARGE_BYTES       size of the large upload (default 11 MiB); the gateway makes uploads of
//                        GW_ASYNC_THRESHOLD bytes and more (default 10 MiB) a task
//   GW_TASK_TIMEOUT      seconds to wait for the task (default 300)
//
// Run:  NODE_EXTRA_CA_CERTS=var/tls/cert.pem node docs/examples/node_example.mjs
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

const env = process.env;
if (env.GW_CA_FILE && env.NODE_EXTRA_CA_CERTS !== env.GW_CA_FILE) {
  const again = spawnSync(process.execPath, process.argv.slice(1), {
    stdio: "inherit",
    env: { ...env, NODE_EXTRA_CA_CERTS: env.GW_CA_FILE },
  });
  process.exit(again.status ?? 1);
}

const BASE_URL = (env.GW_BASE_URL || "https://localhost:8443").replace(/\/+$/, "");
const LARGE_BYTES = Number(env.GW_LARGE_BYTES || 11 * 1024 * 1024);
const TASK_TIMEOUT = Number(env.GW_TASK_TIMEOUT || 300);

/** An answer the tour did not expect; `response` and `body` (its text) are printed on exit. */
class Unexpected extends Error {
  constructor(what, response = null, body = "") {
    super(what);
    this.response = response;
    this.body = body;
  }
}

const headers = {}; // every request sends these; X-API-Key once registered

/** One request to `path` (relative to GW_BASE_URL, or a URL); fails unless its status is one of
 *  `expected`. A 429 (rate limited) is retried after the Retry-After it names: a refused request
 *  costs nothing, so the same request simply passes later. */
async function call(method, path, expected, { json, form } = {}) {
  const url = /^https?:\/\//.test(path) ? path : BASE_URL + path;
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(600_000) };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form; // fetch writes the multipart/form-data body and its Content-Type
  }
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, init);
    if (response.status === 429 && attempt < 5) {
      const wait = Number(response.headers.get("Retry-After") || 1);
      const policy = errorOf(await response.text()).details?.policy ?? "nginx";
      console.log(`   429 rate_limited (${policy}): waiting ${wait}s as Retry-After says`);
      await sleep(wait * 1000);
      continue;
    }
    if (!expected.includes(response.status)) {
      throw new Unexpected(`${method} ${path} (expected ${expected.join(" or ")})`, response, await response.text());
    }
    return response;
  }
}

/** The `error` object of an error envelope ({} when the text is not one). */
function errorOf(text) {
  try {
    return JSON.parse(text).error ?? {};
  } catch {
    return {};
  }
}

/** The `data` of a JSON envelope. */
async function dataOf(response) {
  return (await response.json()).data;
}

/** Poll a task until it has succeeded and return it. Waits a little longer between polls each
 *  time (1, 2, 4, then 5 s) and gives up after TASK_TIMEOUT seconds. */
async function followTask(statusUrl) {
  const url = new URL(statusUrl, BASE_URL + "/").href; // status_url is a path from the server's root
  const deadline = Date.now() + TASK_TIMEOUT * 1000;
  let delay = 1;
  let lastState = null;
  for (;;) {
    const task = await dataOf(await call("GET", url, [200]));
    if (task.state === "succeeded") return task;
    if (task.state === "failed") {
      throw new Unexpected(`task ${task.task_id} failed: ${task.error.code}: ${task.error.message}`);
    }
    if (task.state !== lastState) {
      const { done, total } = task.progress; // in bytes, for uploads once the size is known
      console.log(`   task is ${task.state}${total ? ` (${done} of ${total} bytes)` : ""}`);
      lastState = task.state;
    }
    if (Date.now() >= deadline) throw new Unexpected(`task still ${task.state} after ${TASK_TIMEOUT}s`);
    await sleep(delay * 1000);
    delay = Math.min(delay * 2, 5);
  }
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

async function tour() {
  console.log(`gateway: ${BASE_URL}`);

  // 1. Register: a new account and its API key (shown this once only).
  const email = `example-${randomBytes(6).toString("hex")}@example.com`;
  const password = randomBytes(18).toString("base64url");
  const account = await dataOf(await call("POST", "/register", [201], { json: { email, password } }));
  headers["X-API-Key"] = account.api_key;
  console.log(`1. registered ${email}, API key ${account.api_key.slice(0, 12)}...`);

  // 2. Upload a small file (multipart/form-data, field "file"): 201 with its CID.
  const hello = Buffer.from(`Hello from the Node.js example (${new Date().toISOString()})\n`);
  let form = new FormData();
  form.append("file", new Blob([hello], { type: "text/plain" }), "hello.txt");
  const stored = await dataOf(await call("POST", "/upload", [201], { form }));
  const cid = stored.cid;
  console.log(`2. uploaded hello.txt: ${stored.size} bytes, ${stored.mime_type}, CID ${cid}`);

  // 3. List the account's files (newest first, one page of up to 100) and find it.
  const listing = await call("GET", "/files?limit=100", [200]);
  const files = await dataOf(listing);
  if (!files.some((file) => file.cid === cid)) {
    throw new Unexpected(`GET /files does not list ${cid}`, listing, JSON.stringify(files));
  }
  console.log(`3. listed: ${listing.headers.get("X-Total-Count")} file(s), ${cid} among them`);

  // 4. Retrieve it: the same bytes.
  const retrieved = await call("GET", `/retrieve/${cid}`, [200]);
  const helloAgain = Buffer.from(await retrieved.arrayBuffer());
  if (!helloAgain.equals(hello)) throw new Unexpected(`GET /retrieve/${cid} answered other bytes than were uploaded`);
  console.log(`4. retrieved ${helloAgain.length} bytes (${retrieved.headers.get("Content-Type")}), identical`);

  // 5. and 6. Pin and unpin. A gateway that pins on a remote service answers 202 with a task
  // instead of 200; the task's result is then what 200 would have said.
  for (const [step, action] of [[5, "pin"], [6, "unpin"]]) {
    const answer = await call("POST", `/${action}/${cid}`, [200, 202]);
    let result = await dataOf(answer);
    if (answer.status === 202) result = (await followTask(result.status_url)).result;
    console.log(`${step}. ${action}ned: pinned is ${result.pinned}`);
  }

  // 7. Upload a large file: the gateway keeps it and answers 202 with a task at once.
  const large = randomBytes(LARGE_BYTES);
  const largeSha256 = sha256(large);
  form = new FormData();
  form.append("file", new Blob([large], { type: "application/octet-stream" }), "large.bin");
  const answer = await call("POST", "/upload", [202, 201], { form });
  const accepted = await dataOf(answer);
  let largeCid;
  if (answer.status === 202) {
    console.log(
      `7. uploaded large.bin (${LARGE_BYTES} bytes): 202, task ${accepted.task_id}, ` +
        `Location ${answer.headers.get("Location")}`,
    );

    // 8. Follow the task until the file is stored; its result is the file, with the CID.
    const started = Date.now();
    largeCid = (await followTask(accepted.status_url)).result.cid;
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`8. task ${accepted.task_id} succeeded after ${seconds}s: CID ${largeCid}`);
  } else {
    // the gateway's GW_ASYNC_THRESHOLD is above GW_LARGE_BYTES: stored at once
    largeCid = accepted.cid;
    console.log(
      `7. uploaded large.bin (${LARGE_BYTES} bytes): 201 (no task: below this gateway's threshold), CID ${largeCid}`,
    );
  }

  // 9. Retrieve the large file and check its size and SHA-256.
  const largeAgain = Buffer.from(await (await call("GET", `/retrieve/${largeCid}`, [200])).arrayBuffer());
  if (largeAgain.length !== LARGE_BYTES) {
    throw new Unexpected(`GET /retrieve/${largeCid} answered ${largeAgain.length} bytes, not ${LARGE_BYTES}`);
  }
  if (sha256(largeAgain) !== largeSha256) throw new Unexpected(`GET /retrieve/${largeCid}: SHA-256 differs`);
  console.log(`9. retrieved ${largeAgain.length} bytes, SHA-256 ${largeSha256} as uploaded`);
  console.log("done");
}

try {
  await tour();
} catch (failure) {
  if (!(failure instanceof Unexpected)) {
    // no answer at all (DNS, TLS, refused, timeout): fetch says why in `cause`
    console.error(`FAILED: ${failure.message}${failure.cause ? `: ${failure.cause.message ?? failure.cause}` : ""}`);
    process.exit(1);
  }
  console.error(`FAILED: ${failure.message}`);
  const response = failure.response;
  if (response) {
    console.error(`  HTTP ${response.status}`);
    const error = errorOf(failure.body);
    if (error.code) {
      console.error(`  error: ${error.code}: ${JSON.parse(failure.body).message}`);
      console.error(`  details: ${JSON.stringify(error.details ?? {})}`);
    } else {
      console.error(`  body: ${failure.body.slice(0, 500)}`);
    }
    console.error(`  request id: ${response.headers.get("X-Request-Id")}`);
  }
  process.exit(1);
}
