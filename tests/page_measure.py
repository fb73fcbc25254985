"""In-page measurements for browser tests: WCAG contrast from computed styles, and line boxes of
text that must stay on one line. Each is one JavaScript function, run with page.evaluate."""

from __future__ import annotations

# Colour helpers shared by the measurements below: parse rgb()/rgba(), composite translucent
# layers, WCAG 2 relative luminance and contrast ratio.
_COLOUR = r"""
const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const over = (top, under) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
const background = el => { const layers = [];
  for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
  return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]); };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
"""

TEXT_CONTRAST = "(selector) => {" + _COLOUR + r"""
  return [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length).map(e => {
    const bg = background(e); const fg = over(parse(getComputedStyle(e).color), bg);
    return {text: e.textContent.trim().slice(0, 20), ratio: ratio(fg, bg)}; });
}"""

# The focus ring of each element matched: its outline colour against the background it is drawn
# on (outside the element: outline-offset > 0 puts it on the parent's background).
FOCUS_CONTRAST = "(selector) => {" + _COLOUR + r"""
  return [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length).slice(0, 6).map(e => {
    e.focus({focusVisible: true}); const s = getComputedStyle(e);
    const bg = background(parseFloat(s.outlineOffset) > 0 ? e.parentElement : e);
    const ring = over(parse(s.outlineColor), bg);
    const out = {text: (e.textContent || e.value || e.tagName).trim().slice(0, 20), style: s.outlineStyle,
                 width: parseFloat(s.outlineWidth), focused: document.activeElement === e, ratio: ratio(ring, bg)};
    e.blur(); return out; });
}"""

# Units that must stay on one line, with the number of line boxes each takes: whole elements
# (badges, headers, numbers) and matches of patterns in the text (dates, issue names, numbers).
LINE_BOXES = r"""([selectors, patterns, scope]) => {
  const lines = rects => new Set([...rects].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
  const out = [];
  for (const sel of selectors) for (const e of document.querySelectorAll(sel)) {
    if (!e.getClientRects().length || !e.textContent.trim()) continue;
    const r = document.createRange(); r.selectNodeContents(e);
    out.push({what: sel, text: e.textContent.trim(), lines: lines(r.getClientRects())}); }
  const root = document.querySelector(scope) || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    if (n.parentElement.closest('.doc-body, .search-excerpt, script, style, [hidden]')) continue;
    for (const p of patterns) for (const m of n.data.matchAll(new RegExp(p, 'g'))) {
      const r = document.createRange(); r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
      if (r.getClientRects().length) out.push({what: p, text: m[0], lines: lines(r.getClientRects())}); } }
  return out;
}"""

# Characters on the last line of each element's text (orphans: a title whose last line is one character).
LAST_LINE = r"""(selector) => [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length).map(e => {
  const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT); const chars = [];
  for (let n; (n = walker.nextNode());) for (let i = 0; i < n.data.length; i++) {
    const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1); const b = r.getClientRects()[0];
    if (b && b.width > 0 && n.data[i].trim()) chars.push(Math.round(b.top)); }
  const last = chars.length ? chars[chars.length - 1] : 0;
  return {text: e.textContent.trim(), lines: new Set(chars).size, last: chars.filter(t => t === last).length}; })"""

# Characters per line of body paragraphs: the element's width over its font size (CJK glyphs are 1em).
LINE_LENGTH = r"""(selector) => [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length).map(e => {
  const s = getComputedStyle(e); return e.clientWidth / parseFloat(s.fontSize); })"""
