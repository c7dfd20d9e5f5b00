// deck.mjs puts a running hwfdash's projector deck on one slide and pauses
// it, as an operator would from /present/control, so that a measurement of
// /present (scripts/lighthouse.sh) loads a known slide rather than the one
// the clock gives.
//
//   node deck.mjs ws://127.0.0.1:8080/ws <admin token> <slide index>
//
// Needs a global WebSocket (Node 22, or Node 20 with --experimental-websocket).
// Exits non-zero with the server's refusal, or when nothing answers in 10 s.

const [url, token, slide] = process.argv.slice(2);
if (!url || !token || !/^\d+$/.test(slide || '')) {
  console.error('usage: node deck.mjs <ws url> <admin token> <slide index>');
  process.exit(2);
}
const ws = new WebSocket(url);
const fail = (msg) => { console.error(`deck.mjs: ${msg}`); process.exit(1); };
const timer = setTimeout(() => fail('no answer in 10 s'), 10000);
ws.onerror = (e) => fail(`websocket: ${e.message || 'error'}`);
const commands = [{ cmd: 'goto', slide: Number(slide) }, { cmd: 'pause' }];
let sent = 0;
const next = () => ws.send(JSON.stringify({ control: commands[sent++], token }));
ws.onopen = next;
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type === 'error') fail(m.error || JSON.stringify(m));
  if (m.type !== 'control-sent') return;
  if (sent < commands.length) { next(); return; }
  clearTimeout(timer);
  ws.close();
  process.exit(0);
};
