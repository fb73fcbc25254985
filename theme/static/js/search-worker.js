/* Runs Pagefind off the page. Besides keeping the page responsive, this matters for
 * correctness: on a zh page Pagefind re-segments queries with Intl.Segmenter, which would
 * cut the gazette's bigram tokens into single characters; here there is no document
 * language, so the tokens reach the index as they are. Loaded as a module worker. */
/* The index is sharded by decade (gazette-shards.json, newest first): the newest shard's
 * Pagefind is loaded and the others merged into it, so one search covers the archive. */
const root = new URL("../../pagefind/", self.location.href);
const site = new URL("../", root);
let pagefind = null;
const ready = (async () => {
  const shards = await (await fetch(new URL("gazette-shards.json", root))).json();
  if (!shards.length) return;
  pagefind = await import(new URL(shards[0] + "/pagefind.js", root).href);
  await pagefind.options({ excerptLength: 0, baseUrl: "/" });
  for (const shard of shards.slice(1)) {
    await pagefind.mergeIndex(new URL(shard + "/", root).pathname, { baseUrl: "/" });
  }
})();

/* Pagefind ignores a query word found nowhere in the index ("best effort"), so its results
 * hold every word that exists. A word missing from a result therefore exists nowhere, and
 * with every word required there are no results at all. */
function holdsEveryWord(data, words) {
  const tokens = " " + data.content + " ";
  return words.every((w) => tokens.includes(" " + w));
}

self.onmessage = async (event) => {
  const { id, op, args } = event.data;
  try {
    await ready;
    if (!pagefind) {
      self.postMessage({ id, ok: true, value: op === "filters" ? {} : { total: 0, datas: [] } });
      return;
    }
    if (op === "filters") {
      self.postMessage({ id, ok: true, value: await pagefind.filters() });
      return;
    }
    const res = await pagefind.search(args.term, args.options);
    let total = res.results.length;
    let datas;
    if (!args.term) {
      datas = await Promise.all(res.results.slice(args.offset, args.offset + args.limit).map((r) => r.data()));
    } else {
      // Each shard ignores the words it lacks, so each result is checked; results are read
      // on until the page is full, so that dropped ones do not push real matches off it.
      const words = args.required || args.term.split(" ");
      datas = [];
      // Bounded: a word no shard has makes every result fail, and reading them all would
      // download the whole archive.
      const readable = Math.min(res.results.length, args.offset + 3 * args.limit);
      let dropped = 0;
      for (let at = 0; at < readable && datas.length < args.offset + args.limit; at += args.limit) {
        const batch = await Promise.all(res.results.slice(at, Math.min(at + args.limit, readable)).map((r) => r.data()));
        for (const d of batch) {
          if (holdsEveryWord(d, words)) datas.push(d); else dropped++;
        }
      }
      datas = datas.slice(args.offset, args.offset + args.limit);
      total = datas.length ? total - dropped : 0;
    }
    // The page needs the original text and where the matches are, not the token stream. The
    // text is not in the index (it would double Pagefind's work): it comes from each shown
    // result's open-data JSON. Without it a result still shows, with no excerpt.
    const slim = await Promise.all(datas.map(async (d) => {
      const meta = Object.assign({}, d.meta);
      if (meta.json) {
        try {
          const resp = await fetch(new URL(meta.json, site));
          if (resp.ok) meta.text = (await resp.json()).text || "";
        } catch (e) { /* no excerpt */ }
      }
      return { url: d.url, meta };
    }));
    self.postMessage({ id, ok: true, value: { total, datas: slim } });
  } catch (error) {
    self.postMessage({ id, ok: false, error: String((error && error.message) || error) });
  }
};
