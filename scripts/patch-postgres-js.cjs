// Mends postgres.js 3.4.9 where it can run one request's queries inside another's
// transaction; npm runs this after every install (package.json "postinstall", the
// Dockerfile's two `npm ci`s included). Plain CommonJS: npm runs it on whatever Node it
// has, before the node@24 dev dependency exists.
//
// sql.begin() reserves its connection in an `onexecute` hook at the tail of an `&&`
//   chain that also says whether the connection may take more pipelined queries. When the
//   BEGIN filled the pipeline (the 100th query in flight) or the socket pushed back, the
//   chain stopped before the hook: the BEGIN reached the server, the connection stayed in
//   the pool, and the transaction failed with UNSAFE_TRANSACTION while the server kept it
//   open for whichever queries came next (porsager/postgres#1189, #823; unmerged upstream).
//   Now the hook runs whenever the BEGIN was written, and nothing more is pipelined on it.
//   app/db/transactions.test.ts reproduces it at the default settings.
// A write queued (setImmediate) just before its connection closed ran after close() had
//   set the socket to null: an uncaught TypeError that would end the process. CI met it in
//   app/db/database-faults.test.ts (the database stopped mid-ingest), twice in ~20 runs.
//   Now such a write is dropped: close() has already failed the queries it carried.
// sql.begin() waited for BEGIN's reply before it ran the transaction's work: a round trip
//   of its own for every transaction, each request's and each ingest batch's. Now the work
//   starts once the BEGIN has a connection, and its first statements are written behind the
//   BEGIN in the same packet. A failed BEGIN still fails the transaction, at its end rather
//   than its start (only a connection already failing the statements behind it fails a
//   BEGIN). app/db/transactions.test.ts watches the wire through a proxy.
// An unprepared statement with parameters (every drizzle query: drizzle prepares only the
//   ones it names) was described first, its Bind sent only once the server had said what
//   types its parameters take: a round trip of its own per statement. A parameter that is
//   null, a string, a number, a boolean or a bigint is written as the same text whatever
//   the server says its type is, so such a statement is now parsed, bound and run in one
//   go, with the server inferring the types as it did for the description. One with an
//   object, an array or a Buffer still waits for the description, whose type chooses how
//   to write it. The same test file checks both on the wire.
// A parameter was written only from a string, which postgres.js encodes to UTF-8 as it
//   builds the message. Ingest's columns arrive from the parse worker already encoded,
//   moved rather than copied, and as strings they were megabytes per batch on the event
//   loop's heap, collected again and again (#15). Now a Uint8Array bound to a parameter
//   of any type but bytea is written as it is: the bytes are the parameter's text. (Before,
//   such a value was written as its numbers joined by commas.) Give it as sql.typed(bytes,
//   0), so that postgres.js does not take it for bytea and the server infers the type.
//   app/db/client.test.ts binds one.
// A statement's message was allocated several times over on its way to the socket: its
//   Bind grew from 256 bytes by half again at each parameter that did not fit, was copied
//   whole to put the Execute and Sync behind it, and copied once more as it was queued
//   for the socket. For an ingest batch, whose Bind carries megabytes, that was five to
//   six times the message in buffers outside the heap, and V8 counts those towards its
//   old generation's limit: the event loop ran a full GC after about every batch (#15).
//   Now a Bind is sized once for its byte parameters, the Execute and Sync are written
//   into the same buffer, and a message is queued as it was built (nothing writes to a
//   built message again). app/db/client.test.ts checks the bytes on the wire.
// An idle connection was taken from the front of the idle queue, the one idle longest, so
//   sequential queries went round every connection the pool had ever opened. A backend's
//   first statements over partitioned tables under row-level security load their catalog
//   entries (the first /status on a connection: 16-26 ms against 3-7 after, #15), and a
//   pool grown by a burst of ingest served each calm read from a backend that had not run
//   it yet. Now the connection idle shortest goes first, as PgBouncer reuses its servers
//   (server_round_robin = 0): a few backends stay warm, the rest wait for the next burst.
//   app/db/client.test.ts checks which backend answers.
//
// Each mend names the exact text it replaces: a postgres.js whose code differs fails the
// install, so an upgrade is re-checked rather than silently left unmended.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const VERSION = "3.4.9";
const MENDS = [
  {
    file: "connection.js",
    what: "reserve a transaction's connection whenever its BEGIN was written",
    from: `      build(q)
      return write(toBuffer(q))
        && !q.describeFirst
        && !q.cursorFn
        && sent.length < max_pipeline
        && (!q.options.onexecute || q.options.onexecute(connection))`,
    to: `      build(q)
      const written = write(toBuffer(q))
      if (q.options.onexecute) // failsight: reserve even when the pipeline is full (scripts/patch-postgres-js.cjs)
        return q.options.onexecute(connection), false
      return written
        && !q.describeFirst
        && !q.cursorFn
        && sent.length < max_pipeline`,
  },
  {
    file: "connection.js",
    what: "drop a write queued before its connection closed",
    from: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    to: `  function nextWrite(fn) {
    if (!socket) // failsight: closed after this write was queued (scripts/patch-postgres-js.cjs)
      return chunk = nextWriteTimer = null, false
    const x = socket.write(chunk, fn)`,
  },
  {
    file: "index.js",
    what: "run a transaction's work without waiting for BEGIN's reply",
    from: `    let savepoints = 0
      , connection
      , prepare = null

    try {
      await sql.unsafe('begin ' + options.replace(/[^a-z ]/ig, ''), [], { onexecute }).execute()
      return await Promise.race([`,
    to: `    let savepoints = 0
      , connection
      , prepare = null
      , begun

    try {
      // failsight: the work's statements follow BEGIN without waiting for its reply (scripts/patch-postgres-js.cjs)
      let assigned
      const reserving = new Promise(r => assigned = r)
      begun = sql.unsafe('begin ' + options.replace(/[^a-z ]/ig, ''), [], { onexecute: c => (onexecute(c), assigned()) }).execute()
      begun.catch(() => {})
      await Promise.race([reserving, begun])
      connection.queue === full && move(connection, reserved)
      return await Promise.race([`,
  },
  {
    file: "index.js",
    what: "fail a transaction whose BEGIN failed",
    from: `          Promise.resolve(Array.isArray(x) ? Promise.all(x) : x).then(resolve, reject)
        })
`,
    to: `          Promise.resolve(Array.isArray(x) ? Promise.all(x) : x).then(resolve, reject)
        })
        name || await begun // failsight: BEGIN was not waited for (scripts/patch-postgres-js.cjs)
`,
  },
  {
    file: "connection.js",
    what: "bind an unprepared statement whose parameters are plain values without describing it first",
    from: `    q.describeFirst = q.onlyDescribe || (parameters.length && !q.prepared)`,
    to: `    q.describeFirst = q.onlyDescribe || (parameters.length && !q.prepared && (q.prepare || parameters.some(x => x !== null && typeof x === 'object'))) // failsight: plain values need no description (scripts/patch-postgres-js.cjs)`,
  },
  {
    file: "bytes.js",
    what: "write a parameter given as bytes without encoding it",
    from: `  str(x) {
    const length = Buffer.byteLength(x)`,
    to: `  bytes(x) { // failsight: a parameter's text given as UTF-8 bytes (scripts/patch-postgres-js.cjs)
    fit(x.length)
    buffer.set(x, b.i)
    b.i += x.length
    return b
  },
  str(x) {
    const length = Buffer.byteLength(x)`,
  },
  {
    file: "connection.js",
    what: "bind a parameter given as bytes as the text they hold",
    from: `      type = types[i]
      parameters[i] = x = type in options.serializers`,
    to: `      type = types[i]
      if (x instanceof Uint8Array && type !== 17) // failsight: bytes are the parameter's text, as given (scripts/patch-postgres-js.cjs)
        return prev = b.i, b.inc(4).bytes(x).i32(b.i - prev - 4, prev)
      parameters[i] = x = type in options.serializers`,
  },
  {
    file: "bytes.js",
    what: "size a message once and end it with bytes already built",
    from: `  end(at = 1) {`,
    to: `  room(x) { // failsight: room for x more bytes, made once (scripts/patch-postgres-js.cjs)
    fit(x)
    return b
  },
  endWith(tail) { // failsight: this message, then tail (whole messages) in the same buffer (scripts/patch-postgres-js.cjs)
    buffer.writeUInt32BE(b.i - 1, 1)
    return b.bytes(tail).end(-1)
  },
  end(at = 1) {`,
  },
  {
    file: "bytes.js",
    what: "end a message whose length is written already",
    from: `    buffer.writeUInt32BE(b.i - at, at)
    const out = buffer.subarray(0, b.i)`,
    to: `    at >= 0 && buffer.writeUInt32BE(b.i - at, at) // failsight: -1, written by endWith (scripts/patch-postgres-js.cjs)
    const out = buffer.subarray(0, b.i)`,
  },
  {
    file: "connection.js",
    what: "size a Bind once and write its Execute and Sync into it",
    from: `  function prepared(q) {
    return Buffer.concat([
      Bind(q.parameters, q.statement.types, q.statement.name, q.cursorName),
      q.cursorFn
        ? Execute('', q.cursorRows)
        : ExecuteUnnamed
    ])
  }`,
    to: `  function prepared(q) {
    return q.cursorFn // failsight: Execute and Sync in the Bind's own buffer (scripts/patch-postgres-js.cjs)
      ? Buffer.concat([Bind(q.parameters, q.statement.types, q.statement.name, q.cursorName), Execute('', q.cursorRows)])
      : Bind(q.parameters, q.statement.types, q.statement.name, q.cursorName, ExecuteUnnamed)
  }`,
  },
  {
    file: "connection.js",
    what: "make a Bind's room for its byte parameters at once",
    from: `  function Bind(parameters, types, statement = '', portal = '') {
    let prev
      , type

    b().B().str(portal + b.N).str(statement + b.N).i16(0).i16(parameters.length)`,
    to: `  function Bind(parameters, types, statement = '', portal = '', tail) {
    let prev
      , type

    // failsight: one buffer for the byte parameters, the tail and some small ones (scripts/patch-postgres-js.cjs)
    b().room(parameters.reduce((n, x) => n + 4 + (x instanceof Uint8Array ? x.length : 0), 1024 + (tail ? tail.length : 0)))
    b.B().str(portal + b.N).str(statement + b.N).i16(0).i16(parameters.length)`,
  },
  {
    file: "connection.js",
    what: "end a Bind with its tail",
    from: `    b.i16(0)

    return b.end()
  }

  function Parse(`,
    to: `    b.i16(0)

    return tail ? b.endWith(tail) : b.end() // failsight: (scripts/patch-postgres-js.cjs)
  }

  function Parse(`,
  },
  {
    file: "connection.js",
    what: "queue a message for the socket without copying it",
    from: `    chunk = chunk ? Buffer.concat([chunk, x]) : Buffer.from(x)`,
    to: `    chunk = chunk ? Buffer.concat([chunk, x]) : x // failsight: never written to again (scripts/patch-postgres-js.cjs)`,
  },
  {
    file: "queue.js",
    what: "take the entry pushed last",
    from: `    push: (x) => (xs.push(x), x),`,
    to: `    push: (x) => (xs.push(x), x),
    pop: () => { // failsight: the entry pushed last (scripts/patch-postgres-js.cjs)
      if (index === xs.length)
        return undefined
      const out = xs.pop()
      if (index >= xs.length) {
        index = 0
        xs = []
      }
      return out
    },`,
  },
  {
    file: "index.js",
    what: "hand a query the connection idle shortest",
    from: `    if (open.length)
      return go(open.shift(), query)`,
    to: `    if (open.length)
      return go(open.pop(), query) // failsight: the warmest backend (scripts/patch-postgres-js.cjs)`,
  },
  {
    file: "index.js",
    what: "reserve the connection idle shortest",
    from: `    const c = open.length
      ? open.shift()`,
    to: `    const c = open.length
      ? open.pop() // failsight: the warmest backend (scripts/patch-postgres-js.cjs)`,
  },
];

const root = path.join(__dirname, "..", "node_modules", "postgres");
const manifest = path.join(root, "package.json");
if (!fs.existsSync(manifest)) process.exit(0); // not installed (yet): nothing to mend
const version = JSON.parse(fs.readFileSync(manifest, "utf8")).version;
if (version !== VERSION) fail(`postgres.js ${version} is installed; these mends were written for ${VERSION}. Check whether it still needs them (the test app/db/transactions.test.ts says), then update or remove scripts/patch-postgres-js.cjs.`);

// The Node (src, ESM), CommonJS (cjs) and Cloudflare (cf) builds carry the same code.
for (const build of ["src", "cjs/src", "cf/src"]) {
  for (const name of new Set(MENDS.map((m) => m.file))) {
    const file = path.join(root, build, name);
    if (!fs.existsSync(file)) continue;
    let text = fs.readFileSync(file, "utf8");
    for (const mend of MENDS.filter((m) => m.file === name)) {
      if (text.includes(mend.to)) continue;
      if (!text.includes(mend.from)) fail(`${path.relative(process.cwd(), file)}: cannot ${mend.what}: the code it replaces is not there.`);
      text = text.replace(mend.from, mend.to);
    }
    fs.writeFileSync(file, text);
  }
}

function fail(message) {
  console.error(`scripts/patch-postgres-js.cjs: ${message}`);
  process.exit(1);
}
