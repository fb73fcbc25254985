/* Runs Pagefind off the page. Besides keeping the page responsive, this matters for
 * correctness: on a zh page Pagefind re-segments queries with Intl.Segmenter, which would
 * cut the gazette's bigram tokens into single characters; here there is no document
 * language, so the tokens reach the index as they are. Loaded as a module worker. */
import * as pagefind from "../../pagefind/pagefind.js";

const ready = pagefind.options({ excerptLength: 0, baseUrl: "/" });

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
    if (op === "filters") {
      self.postMessage({ id, ok: true, value: await pagefind.filters() });
      return;
    }
    const res = await pagefind.search(args.term, args.options);
    const slice = res.results.slice(args.offset, args.offset + args.limit);
    const datas = await Promise.all(slice.map((r) => r.data()));
    if (args.term && datas.length && !holdsEveryWord(datas[0], args.required || args.term.split(" "))) {
      self.postMessage({ id, ok: true, value: { total: 0, datas: [] } });
      return;
    }
    // The page needs the original text (meta) and where the matches are, not the token stream.
    const slim = datas.map((d) => ({ url: d.url, meta: d.meta, locations: d.locations }));
    self.postMessage({ id, ok: true, value: { total: res.results.length, datas: slim } });
  } catch (error) {
    self.postMessage({ id, ok: false, error: String((error && error.message) || error) });
  }
};
