// Vietnamese typed through an input method, simulated in Chromium through the DevTools
// protocol as the system's IME delivers it:
//   - composing (IBus-Unikey, macOS, Windows' Vietnamese keyboards with underlining): the word
//     is a composition that changes at each key (Input.imeSetComposition), then committed
//     (Input.insertText);
//   - replacing (Unikey, EVKey in their default mode): each key is typed, and a key that adds a
//     mark deletes what it changes with Backspace and types it again.

/** Telex and VNI words: the keys, the composition after each key, the word. */
export const WORDS = [
  // Telex "Vieejt": V, i, e, e → ê, j → ệ, t.
  { method: 'Telex', keys: 'Vieejt', steps: ['V', 'Vi', 'Vie', 'Viê', 'Việ', 'Việt'], word: 'Việt' },
  { method: 'Telex', keys: 'Nam', steps: ['N', 'Na', 'Nam'], word: 'Nam' },
  // Telex "dduwowngf": d, d → đ, u, w → ư, o, w → ơ, n, g, f → ờ.
  { method: 'Telex', keys: 'dduwowngf', steps: ['d', 'đ', 'đu', 'đư', 'đưo', 'đươ', 'đươn', 'đương', 'đường'], word: 'đường' },
  // VNI "bo65": b, o, 6 → ô, 5 → ộ.
  { method: 'VNI', keys: 'bo65', steps: ['b', 'bo', 'bô', 'bộ'], word: 'bộ' },
  // Telex, the tone typed before the vowel mark ("Vieetj"): the composition passes through Viêt.
  { method: 'Telex', keys: 'Vieetj', steps: ['V', 'Vi', 'Vie', 'Viê', 'Viêt', 'Việt'], word: 'Việt' },
];

/** The text the words make, separated by spaces. */
export const TEXT = WORDS.map((w) => w.word).join(' ');

/** Types the words into the focused element through composition, a space between them. */
export async function typeComposing(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const [i, w] of WORDS.entries()) {
      if (i > 0) await cdp.send('Input.insertText', { text: ' ' });
      for (const s of w.steps) {
        await cdp.send('Input.imeSetComposition', { text: s, selectionStart: s.length, selectionEnd: s.length });
      }
      await cdp.send('Input.insertText', { text: w.word });
    }
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Types the words as Unikey does outside composition: each step replaces the last one's
 * changed tail with Backspace, then types the new tail. */
export async function typeReplacing(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const [i, w] of WORDS.entries()) {
      if (i > 0) await cdp.send('Input.insertText', { text: ' ' });
      let shown = '';
      for (const s of w.steps) {
        let common = 0;
        while (common < shown.length && common < s.length && shown[common] === s[common]) common++;
        for (let k = shown.length; k > common; k--) await page.keyboard.press('Backspace');
        if (s.length > common) await cdp.send('Input.insertText', { text: s.slice(common) });
        shown = s;
      }
    }
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Why `got` is not exactly `want` (NFC, nothing lost or doubled), or null. */
export function compare(got, want) {
  if (got === want) return got.normalize('NFC') === got ? null : 'the text is not NFC';
  const code = (s) => [...s].map((c) => c.codePointAt(0).toString(16)).join(' ');
  return `got ${JSON.stringify(got)} (${code(got)}), want ${JSON.stringify(want)} (${code(want)})`;
}
