/* Reads Gazette's static search index (gazette/search/browser_index.py) off the page.
 *
 * A query fetches the manifest, the per-record facts, the folding table (all cached after the
 * first query), one term chunk per query term and one for the query as a whole value
 * (ranking.value_term), the shown results' entries and one text block per
 * shown result (and, for a query of several terms found only in texts, the entry and one block of
 * each of the first ranking.PHRASE_CHECKS such candidates, to see the phrase): a few dozen
 * kilobytes whatever the size of the archive, apart from the facts (three bytes a record,
 * compressed) and terms found in most records (a bitmap of one bit a record).
 */
importScripts("search-rules.js");
const R = self.gazetteSearchRules;
const INDEX = new URL("../../search-index/", self.location.href);
const BODY = 1, TITLE = 2, NUMBER = 4, META = 8;
const HEAD = TITLE | NUMBER | META;

async function inflate(resp) {
  const stream = resp.body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

let fetched = 0;  // bytes of index files this worker has downloaded, for R.PHRASE_BUDGET
async function fetchBin(path) {
  const resp = await fetch(new URL(path, INDEX));
  if (!resp.ok) throw new Error(path + " " + resp.status);
  const sent = Number(resp.headers.get("content-length"));
  const data = await inflate(resp);
  fetched += sent || data.length;  // a host that sends no length: the inflated size, which is more
  return data;
}

const decoder = new TextDecoder();
const cache = new Map();
function once(key, make) {
  if (!cache.has(key)) cache.set(key, make().catch((e) => { cache.delete(key); throw e; }));
  return cache.get(key);
}

const manifest = () => once("manifest", async () => {
  const resp = await fetch(new URL("manifest.json", INDEX));
  if (!resp.ok) throw new Error("manifest.json " + resp.status);
  return resp.json();
});
const facts = () => once("facts", () => fetchBin("docs.bin"));
const foldTable = () => once("foldTable", async () => JSON.parse(decoder.decode(await fetchBin("fold.bin"))));
const fold = () => once("fold", async () => R.makeFold(await foldTable()));

function fnv1a(text) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

function varint(buf, at) {
  let n = 0, shift = 0, b;
  do { b = buf[at.pos++]; n += (b & 0x7f) * Math.pow(2, shift); shift += 7; } while (b & 0x80);
  return n;
}

/* A chunk: Map term → its posting bytes. */
function chunk(n) {
  return once("t" + n, async () => {
    const buf = await fetchBin("t/" + n + ".bin");
    const at = { pos: 0 }, count = varint(buf, at), heads = [];
    for (let i = 0; i < count; i++) {
      const len = varint(buf, at);
      const term = decoder.decode(buf.subarray(at.pos, at.pos + len));
      at.pos += len;
      heads.push([term, varint(buf, at)]);
    }
    const out = new Map();
    let pos = at.pos;
    for (const [term, len] of heads) { out.set(term, buf.subarray(pos, pos + len)); pos += len; }
    return out;
  });
}

/* {head: [[id, mask]...], bodyIds: Int32Array | null, bodyBlocks, bitmap: Uint8Array | null, bodyCount} */
function decodePosting(buf) {
  const at = { pos: 0 };
  const nHead = varint(buf, at), head = [];
  let id = -1;
  for (let i = 0; i < nHead; i++) { id += varint(buf, at) + 1; head.push([id, buf[at.pos++]]); }
  const kind = buf[at.pos++];
  if (kind === 1) {
    const bitmap = buf.subarray(at.pos);
    let count = 0;
    for (const byte of bitmap) { let x = byte; while (x) { count += x & 1; x >>= 1; } }
    return { head, bodyIds: null, bodyBlocks: null, bitmap, bodyCount: count };
  }
  const n = varint(buf, at), ids = new Int32Array(n);
  id = -1;
  for (let i = 0; i < n; i++) { id += varint(buf, at) + 1; ids[i] = id; }
  return { head, bodyIds: ids, bodyBlocks: buf.subarray(at.pos, at.pos + n), bitmap: null, bodyCount: n };
}

async function postings(terms, chunks) {
  return Promise.all(terms.map(async (t) => {
    const bytes = (await chunk(fnv1a(t) % chunks)).get(t);
    return bytes ? decodePosting(bytes) : null;
  }));
}

function eachBody(p, fn) {
  if (!p) return;
  if (p.bodyIds) { for (let i = 0; i < p.bodyIds.length; i++) fn(p.bodyIds[i], p.bodyBlocks[i]); return; }
  const bm = p.bitmap;
  for (let byte = 0; byte < bm.length; byte++) {
    let x = bm[byte];
    while (x) { const low = x & -x; fn(byte * 8 + 31 - Math.clz32(low), 0); x ^= low; }
  }
}

/* Records passing the filters (null: every record). filters: {key: [values]}, inForce. */
async function allowed(filters, inForce, m, f) {
  const keys = Object.keys(filters).filter((k) => filters[k] && filters[k].length);
  let keep = null;
  // Status and review flag come from the facts (docs.bin: byte 0 bits 0-2, byte 1), as codes or labels.
  for (const [key, byte, mask] of [["status", 0, 7], ["flag", 1, 255]]) {
    if (!filters[key] || !filters[key].length) continue;
    const wanted = new Set();
    m[key].forEach((code, i) => {
      if (filters[key].includes(code) || filters[key].includes(m.labels[key][i])) wanted.add(i);
    });
    const mark = new Uint8Array(m.records);
    for (let i = 0; i < m.records; i++) if (wanted.has(f[i * 3 + byte] & mask)) mark[i] = 1;
    if (keep) for (let i = 0; i < keep.length; i++) keep[i] &= mark[i]; else keep = mark;
  }
  for (const key of keys.filter((k) => k !== "status" && k !== "flag")) {
    const lists = await postings(filters[key].map((v) => "!" + key + "=" + v), m.chunks);
    const mark = new Uint8Array(m.records);
    lists.forEach((p) => { if (p) p.head.forEach(([id]) => { mark[id] = 1; }); });
    if (keep) for (let i = 0; i < keep.length; i++) keep[i] &= mark[i]; else keep = mark;
  }
  if (inForce) {
    if (!keep) keep = new Uint8Array(m.records).fill(1);
    for (let i = 0; i < m.records; i++) {
      const b = f[i * 3];
      if (!keep[i]) continue;
      if (!R.inForceNow(m.status[b & 7], b & 8, b & 16 ? "issue" : "document")) keep[i] = 0;
    }
  }
  return keep;
}

const groups = (n) => once("d" + n, async () => JSON.parse(decoder.decode(await fetchBin("d/" + n + ".bin"))));
async function entry(id, m) {
  const e = (await groups(Math.floor(id / m.group)))[id % m.group];
  return { url: e[0], title: e[1], number: e[2], issuer: e[3], date: e[4], status: e[5], statusLabel: e[6],
           flag: e[7], flagLabel: e[8], disclosure: e[9], script: e[10], kind: e[11], textKey: e[12], blocks: e[13] };
}

function textBlock(key, n) {
  return once("x" + key + "-" + n, async () => {
    try { return decoder.decode(await fetchBin("x/" + key + "-" + n + ".bin")); } catch (e) { return ""; }
  });
}

/* Where record `id` is in a list posting's text records (-1: not there). */
function bodyIndex(p, id) {
  let lo = 0, hi = p.bodyIds.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, v = p.bodyIds[mid];
    if (v === id) return mid;
    if (v < id) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

/* The text block where each list's term first occurs in record `id`: [[records with the term, block]]
 * (terms in most records are bitmaps and carry none). */
function firstBlocks(id, lists) {
  const out = [];
  lists.forEach((p) => {
    if (!p || !p.bodyIds) return;
    const at = bodyIndex(p, id);
    if (at >= 0) out.push([p.bodyCount, p.bodyBlocks[at]]);
  });
  return out;
}

/* The excerpt's block: where the rarest matched term first occurs. */
function blockOf(id, lists) {
  const found = firstBlocks(id, lists);
  if (!found.length) return 0;
  return found.reduce((a, b) => (b[0] < a[0] ? b : a))[1];
}

/* browser_index.block_group: how many text blocks one bit of a junction trigram's mask stands for. */
function blockGroup(blocks) { return Math.max(1, Math.ceil(blocks / 8)); }

/* The text blocks of record `id` (`blocks` of them) where the query can be a phrase, in order, at
 * most PHRASE_BLOCKS: none before the latest first occurrence of its terms (`lists`); with junction
 * trigrams (`joinLists`), only in the block groups where each of them occurs, or occurs in the next
 * group (a phrase may run on into the next block), and the first block after such a group. */
function phraseBlocks(id, blocks, lists, joinLists) {
  const from = Math.min(blocks - 1, firstBlocks(id, lists).reduce((a, b) => Math.max(a, b[1]), 0));
  let mask = 0xff;
  joinLists.forEach((p) => {
    const at = p.bodyIds ? bodyIndex(p, id) : -1;  // a bitmap (a trigram in most texts) carries no mask
    if (at >= 0) mask &= p.bodyBlocks[at] | (p.bodyBlocks[at] >> 1);
  });
  const g = blockGroup(blocks), most = joinLists.length ? R.PHRASE_BLOCKS : 2, out = [];
  for (let b = from; b < blocks && out.length < most; b++) {
    const k = Math.floor(b / g);
    if ((mask >> k) & 1 || (k > 0 && b % g === 0 && (mask >> (k - 1)) & 1)) out.push(b);
  }
  return out;
}

function hasBody(p, id) {
  if (!p) return false;
  if (p.bitmap) return !!(p.bitmap[id >> 3] & (1 << (id & 7)));
  return bodyIndex(p, id) >= 0;
}

/* browser_index.junction_terms: the query's trigrams where two common bigrams (bitmaps) meet. */
function junctions(folded, terms, lists) {
  const byTerm = new Map(terms.map((t, i) => [t, lists[i]]));
  const common = (t) => { const p = byTerm.get(t); return !!(p && p.bitmap); };
  const out = new Set();
  R.runs(folded).forEach((run) => {
    const c = Array.from(run);
    if (run.charCodeAt(0) < 128) return;
    for (let i = 0; i + 2 < c.length; i++) {
      if (common(c[i] + c[i + 1]) && common(c[i + 1] + c[i + 2])) out.add(c[i] + c[i + 1] + c[i + 2]);
    }
  });
  return Array.from(out);
}

/* ranking.PHRASE_CHECKS: body-phrase candidates, in ranking order, holding every junction trigram,
 * checked against the text blocks where the phrase can be (phraseBlocks), PHRASE_CHECKS at a time
 * until `wanted` hold it, PHRASE_ROUNDS rounds are done or the search has downloaded PHRASE_BUDGET
 * bytes since `started`; those holding it come first in their tier. */
async function checkPhrases(ranked, folded, terms, lists, m, wanted, started) {
  const foldText = await fold();
  const joins = junctions(folded, terms, lists);
  const joinLists = joins.length ? await postings(joins, m.chunks) : [];
  if (joinLists.some((p) => !p)) return;  // no text holds where these words meet
  const bodies = ranked.filter((r) => r.tier === 3 && joinLists.every((p) => hasBody(p, r.id)))
    .slice(0, R.PHRASE_CHECKS * R.PHRASE_ROUNDS);
  const check = async (r) => {
    const e = await entry(r.id, m);
    if (!e.blocks || e.disclosure !== "public") return false;
    // Each block read on the end of the one before it, when that was read: a phrase may cross.
    let before = "", last = -2;
    for (const block of phraseBlocks(r.id, e.blocks, lists, joinLists)) {
      const text = foldText(await textBlock(e.textKey, block));
      if (R.phraseSeen(folded, (block === last + 1 ? before : "") + text)) {
        r.phraseSeen = true;
        r.block = block;
        return true;
      }
      before = text.slice(-R.phraseOverlap(folded));
      last = block;
    }
    return false;
  };
  let found = 0;
  // A further round only while this search has downloaded less than PHRASE_BUDGET: at 50,000 records a
  // phrase with few holders among hundreds of candidates would cost a cold query 460 KB in three rounds.
  for (let at = 0; at < bodies.length && found < wanted && (!at || fetched - started < R.PHRASE_BUDGET);
    at += R.PHRASE_CHECKS) {
    found += (await Promise.all(bodies.slice(at, at + R.PHRASE_CHECKS).map(check))).filter(Boolean).length;
  }
}

async function search(args) {
  const started = fetched;
  const [m, f, foldText] = await Promise.all([manifest(), facts(), fold()]);
  const folded = foldText(args.query || "");
  const plan = R.queryPlan(folded);
  const keep = await allowed(args.filters || {}, args.inForce, m, f);
  const N = m.records;
  let ranked, partial = false;
  const terms = plan.terms.slice();
  let lists = [];
  if (!terms.length) {
    // Filters alone: newest first.
    ranked = [];
    if (keep || args.inForce) for (let i = N - 1; i >= 0; i--) if (!keep || keep[i]) ranked.push({ id: i, tier: 0 });
  } else {
    const numberTerm = R.isNumberQuery(folded) ? "#" + R.numberWord(folded) : null;
    const valueTerm = R.valueTerm(folded);
    const extra = [numberTerm, valueTerm].filter(Boolean);
    lists = await postings(terms.concat(extra), m.chunks);
    const extraList = (t) => (t ? lists[terms.length + extra.indexOf(t)] : null);
    const headBits = new Uint32Array(N), bodyBits = new Uint32Array(N), titleBits = new Uint32Array(N);
    const exact = new Uint8Array(N);
    terms.forEach((t, q) => {
      const p = lists[q];
      if (!p) return;
      p.head.forEach(([id, mask]) => { headBits[id] |= 1 << q; if (mask & TITLE) titleBits[id] |= 1 << q; });
      eachBody(p, (id) => { bodyBits[id] |= 1 << q; });
    });
    const numbered = extraList(numberTerm), valued = extraList(valueTerm), isValue = new Uint8Array(N);
    if (numbered) numbered.head.forEach(([id, mask]) => { if (mask & NUMBER) exact[id] = 1; });
    if (valued) valued.head.forEach(([id]) => { isValue[id] = 1; });
    const all = [];
    for (let id = 0; id < N; id++) {
      if ((!headBits[id] && !bodyBits[id] && !exact[id]) || (keep && !keep[id])) continue;
      const feat = R.features(plan, exact[id], headBits[id], bodyBits[id], titleBits[id]);
      const t = R.tier(feat);
      if (!t) continue;
      const b = f[id * 3];
      all.push({ id, tier: t, valueExact: !!isValue[id], titleFull: feat.titleFull, standing: R.standing(m.status[b & 7], b & 8),
                 fraction: feat.fraction, titleLen: f[id * 3 + 2] });
    }
    ranked = all.filter((r) => r.tier > 1);
    // Partial matches only for words: a number is the document's or it is not.
    if (!ranked.length && !numberTerm) { ranked = all; partial = ranked.length > 0; }
    if (args.sort === "date") ranked.sort((a, b) => b.id - a.id);
    else {
      ranked.sort(R.compare);
      if (R.needsPhraseCheck(plan, folded)) {
        await checkPhrases(ranked, folded, terms, lists.slice(0, terms.length), m, (args.offset || 0) + (args.limit || 10),
                           started);
        ranked.sort(R.compare);
      }
    }
  }
  const page = ranked.slice(args.offset || 0, (args.offset || 0) + (args.limit || 10));
  const results = await Promise.all(page.map(async (r) => {
    const e = await entry(r.id, m);
    e.match = R.TIERS[r.tier] || "";
    e.text = "";
    if (e.blocks && e.disclosure === "public") {
      const block = r.block !== undefined ? r.block : Math.min(e.blocks - 1, blockOf(r.id, lists.slice(0, terms.length)));
      e.text = await textBlock(e.textKey, block);
      e.textStart = block > 0;
      e.textMore = block < e.blocks - 1;
    }
    return e;
  }));
  return { total: ranked.length, partial, results };
}

self.onmessage = async (event) => {
  const { id, op, args } = event.data;
  try {
    let value;
    if (op === "filters") value = (await manifest()).filters;
    else if (op === "fold") value = await foldTable();
    else value = await search(args);
    self.postMessage({ id, ok: true, value });
  } catch (error) {
    self.postMessage({ id, ok: false, error: String((error && error.message) || error) });
  }
};
