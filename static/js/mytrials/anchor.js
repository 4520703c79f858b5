// Where a note's passage is, as the W3C Web Annotation model describes it: a
// TextQuoteSelector (the passage, with a little of the text before and after it) and a
// TextPositionSelector (where it was), over the text of one section of the page.
//
// The text of an element is its text nodes in document order, with each run of white
// space made one space and a space between blocks, leaving out the notes' own buttons
// and boxes ([data-notes-ui]), so that what a note quotes does not depend on how the
// page is indented or on the notes shown in it.
//
// Finding a passage again tolerates the small changes an import makes to a record: the
// exact quote first; if it is not there, the place that needs the fewest edits (at most
// one in five characters); among several, the one whose surrounding text matches best.

const CONTEXT = 32; // characters kept before and after a quote
const SKIP = "script, style, template, [data-notes-ui]";
const BLOCK = /^(ADDRESS|ARTICLE|ASIDE|BLOCKQUOTE|DD|DETAILS|DIV|DL|DT|FIGCAPTION|FIGURE|FOOTER|FORM|H[1-6]|HEADER|LI|MAIN|NAV|OL|P|PRE|SECTION|SUMMARY|TABLE|TBODY|TD|TH|THEAD|TR|UL)$/;

function blockOf(node, root) {
  let element = node.parentElement;
  while (element && element !== root && !BLOCK.test(element.tagName)) element = element.parentElement;
  return element;
}

// {text, nodes, offsets}: text[i] stands for the character at offsets[i] of nodes[i]
// (a space that joins two blocks stands for the first character after it).
export function textOf(root) {
  const nodes = [];
  const offsets = [];
  let text = "";
  let space = null; // [node, offset] of white space not yet written
  let block = null;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      if (node.nodeType === Node.TEXT_NODE) return NodeFilter.FILTER_ACCEPT;
      if (node.matches(SKIP)) return NodeFilter.FILTER_REJECT;
      return node.tagName === "BR" ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
    },
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType !== Node.TEXT_NODE) {
      space ??= [null, 0]; // a line break
      continue;
    }
    const nodeBlock = blockOf(node, root);
    if (nodeBlock !== block) {
      space ??= [null, 0];
      block = nodeBlock;
    }
    const data = node.data;
    for (let i = 0; i < data.length; i++) {
      if (/\s/.test(data[i])) {
        if (!space || space[0] === null) space = [node, i];
        continue;
      }
      if (space && text.length) {
        text += " ";
        nodes.push(space[0] ?? node);
        offsets.push(space[0] ? space[1] : i);
      }
      space = null;
      text += data[i];
      nodes.push(node);
      offsets.push(i);
    }
  }
  return { text, nodes, offsets };
}

// The first i in [0, n) for which test(i) holds, test being false then true.
function firstIndex(n, test) {
  let low = 0;
  let high = n;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (test(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

const WORD = /[\p{L}\p{N}]/u;

// The passage a DOM range covers in root, as {quote, position} selectors; null if the
// range holds no text of root. With `words`, a word cut by the range is taken whole: a
// hand rarely selects exactly from one word's start to another's end.
export function describe(root, range, { words = false } = {}) {
  const { text, nodes, offsets } = textOf(root);
  let start = firstIndex(text.length, (i) => range.comparePoint(nodes[i], offsets[i]) >= 0);
  let end = firstIndex(text.length, (i) => range.comparePoint(nodes[i], offsets[i] + 1) > 0);
  while (start < end && text[start] === " ") start++;
  while (end > start && text[end - 1] === " ") end--;
  if (words && start < end) {
    while (start > 0 && WORD.test(text[start - 1]) && WORD.test(text[start])) start--;
    while (end < text.length && WORD.test(text[end]) && WORD.test(text[end - 1])) end++;
  }
  if (start >= end) return null;
  return selectors(text, start, end);
}

function selectors(text, start, end) {
  return {
    quote: {
      type: "TextQuoteSelector",
      exact: text.slice(start, end),
      prefix: text.slice(Math.max(0, start - CONTEXT), start),
      suffix: text.slice(end, end + CONTEXT),
    },
    position: { type: "TextPositionSelector", start, end },
  };
}

function commonPrefixLength(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

function commonSuffixLength(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

function maxErrors(length) {
  return Math.floor(length / 5);
}

// The places in text where pattern occurs with at most maxErrors edits (insertions,
// deletions, substitutions), each {start, end, errors}, overlapping ones merged to the
// best. Sellers' dynamic programming, one column of edit distances per character of
// text, computed only down to the last row still within maxErrors (Ukkonen's cutoff).
export function approximateMatches(text, pattern, maxErrors) {
  const m = pattern.length;
  const codes = Uint16Array.from(pattern, (c) => c.charCodeAt(0));
  const tooMany = maxErrors + 1;
  let cost = new Int32Array(m + 1);
  let from = new Int32Array(m + 1); // where the match ending here starts
  let nextCost = new Int32Array(m + 1);
  let nextFrom = new Int32Array(m + 1);
  for (let i = 0; i <= m; i++) cost[i] = i;
  let top = Math.min(maxErrors, m); // the last row within maxErrors
  const found = [];
  for (let j = 0; j < text.length; j++) {
    const code = text.charCodeAt(j);
    const last = Math.min(top + 1, m);
    nextCost[0] = 0;
    nextFrom[0] = j + 1;
    for (let i = 1; i <= last; i++) {
      let best = cost[i - 1] + (codes[i - 1] === code ? 0 : 1);
      let start = from[i - 1];
      const above = i <= top ? cost[i] : tooMany;
      if (above + 1 < best) {
        best = above + 1; // text[j] is extra
        start = from[i];
      }
      if (nextCost[i - 1] + 1 < best) {
        best = nextCost[i - 1] + 1; // pattern[i - 1] is missing
        start = nextFrom[i - 1];
      }
      nextCost[i] = best;
      nextFrom[i] = start;
    }
    top = last;
    while (top > 0 && nextCost[top] > maxErrors) top--;
    if (top === m) {
      const match = { start: nextFrom[m], end: j + 1, errors: nextCost[m] };
      const previous = found[found.length - 1];
      if (previous && match.start < previous.end) {
        if (match.errors < previous.errors) found[found.length - 1] = match;
      } else {
        found.push(match);
      }
    }
    const swapCost = cost;
    cost = nextCost;
    nextCost = swapCost;
    const swapFrom = from;
    from = nextFrom;
    nextFrom = swapFrom;
  }
  return found;
}

// How well a candidate place fits the selectors: the quote matters most, then the text
// around it, then how close it is to where the passage was.
function score(text, match, quote, position) {
  const quoteFit = 1 - match.errors / quote.exact.length;
  const before = text.slice(Math.max(0, match.start - quote.prefix.length), match.start);
  const after = text.slice(match.end, match.end + quote.suffix.length);
  const prefixFit = quote.prefix ? commonSuffixLength(before, quote.prefix) / quote.prefix.length : 0;
  const suffixFit = quote.suffix ? commonPrefixLength(after, quote.suffix) / quote.suffix.length : 0;
  const distance = position ? Math.abs(match.start - position.start) / Math.max(1, text.length) : 1;
  return 50 * quoteFit + 20 * prefixFit + 20 * suffixFit + 2 * (1 - Math.min(1, distance));
}

// Where the passage of {quote, position} is in text: {start, end, errors} or null.
export function locate(text, { quote, position }) {
  const exact = quote?.exact;
  if (!exact) return null;
  let matches = [];
  for (let i = text.indexOf(exact); i !== -1; i = text.indexOf(exact, i + 1)) {
    matches.push({ start: i, end: i + exact.length, errors: 0 });
  }
  if (!matches.length) matches = approximateMatches(text, exact, maxErrors(exact.length));
  let best = null;
  let bestScore = -Infinity;
  for (const match of matches) {
    const matchScore = score(text, match, quote, position);
    if (matchScore > bestScore) [best, bestScore] = [match, matchScore];
  }
  return best;
}

// Wraps text[start, end) of a textOf() model in elements made by makeMark(), one per
// text node it covers (none around white space alone: it may sit between list items).
// The model is stale afterwards: take textOf() again before the next one.
export function wrap({ nodes, offsets }, start, end, makeMark) {
  const pieces = [];
  for (let i = start; i < end; i++) {
    const last = pieces[pieces.length - 1];
    if (last && last.node === nodes[i]) last.to = offsets[i] + 1;
    else pieces.push({ node: nodes[i], from: offsets[i], to: offsets[i] + 1 });
  }
  const marks = [];
  for (const { node, from, to } of pieces) {
    if (!node.data.slice(from, to).trim()) continue;
    if (to < node.length) node.splitText(to);
    const piece = from > 0 ? node.splitText(from) : node;
    const mark = makeMark();
    piece.before(mark);
    mark.append(piece);
    marks.push(mark);
  }
  return marks;
}

// Takes the elements wrap() made out again, leaving the text as it was.
export function unwrap(marks) {
  const parents = new Set();
  for (const mark of marks) {
    parents.add(mark.parentNode);
    mark.replaceWith(...mark.childNodes);
  }
  for (const parent of parents) parent?.normalize();
}
