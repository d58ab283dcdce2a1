/**
 * @module tools/report-kit/svg-test-support — for the chart tests only: a small well-formedness check of
 * an SVG document and the words its <text> elements say.
 */
import assert from 'node:assert/strict';

/** A small well-formedness check: tags balance, one root, attributes quoted, no stray < or &. */
export function assertWellFormed(xml: string): void {
  const token = /<\?xml[^>]*\?>|<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  const stray = /[<>]|&(?!(?:amp|lt|gt|quot|apos|#\d+);)/;
  const stack: string[] = [];
  let roots = 0;
  let last = 0;
  for (const m of xml.matchAll(token)) {
    assert.doesNotMatch(xml.slice(last, m.index), stray, `text before offset ${m.index}`);
    last = m.index + m[0].length;
    const [, closing, name, attrs, selfClosing] = m;
    if (!name) continue;
    assert.doesNotMatch(attrs ?? '', /&(?!(?:amp|lt|gt|quot|apos|#\d+);)/, `attributes of <${name}>`);
    if (closing) assert.equal(stack.pop(), name, `</${name}> at offset ${m.index}`);
    else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    }
  }
  assert.doesNotMatch(xml.slice(last), stray, 'text after the last tag');
  assert.deepEqual(stack, [], 'every element closed');
  assert.equal(roots, 1, 'one root element');
}

/** The text content of every <text> element, unescaped. */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => (m[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&'));
}
