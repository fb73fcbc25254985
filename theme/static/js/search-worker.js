/* Runs Pagefind off the page. Besides keeping the page responsive, this matters for
 * correctness: on a zh page Pagefind re-segments queries with Intl.Segmenter, which would
 * cut the gazette's bigram tokens into single characters; here there is no document
 * language, so the tokens reach the index as they are. Loaded as a module worker. */
import * as pagefind from "../../pagefind/pagefind.js";

const ready = pagefind.options({ excerptLength: 0, baseUrl: "/" });

self.onmessage = async (event) => {
  const { id, op, args } = event.data;
  try {
    await ready;
    if (op === "filters") {
      self.postMessage({ id, ok: true, value: await pagefind.filters() });
      return;
    }
    // Pagefind ignores a query word found nowhere in the index ("best effort"); the gazette
    // wants every word to match, so a word the index lacks means no results at all.
    if (args.term) {
      for (const word of new Set(args.term.split(" "))) {
        const alone = await pagefind.search(word);
        if (!alone.results.length) {
          self.postMessage({ id, ok: true, value: { total: 0, datas: [] } });
          return;
        }
      }
    }
    const res = await pagefind.search(args.term, args.options);
    const slice = res.results.slice(args.offset, args.offset + args.limit);
    const datas = await Promise.all(slice.map((r) => r.data()));
    self.postMessage({ id, ok: true, value: { total: res.results.length, datas } });
  } catch (error) {
    self.postMessage({ id, ok: false, error: String((error && error.message) || error) });
  }
};
