// The fan-out floor: a bare Socket.IO server (no auth, no adapter, no database)
// broadcasting to one room of every connected socket at a fixed rate; and the
// message floor: a POST relayed to that room.
import http from 'node:http';
import { Server } from 'socket.io';

const nowMs = () => performance.timeOrigin + performance.now();
const server = http.createServer((req, res) => {
  // The message floor: a posted body relayed to the room as it arrived, no checks, no storage.
  if (req.method === 'POST' && req.url === '/messages') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      io.to('skill:research').emit('message.created', { message });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(message));
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
const io = new Server(server, { serveClient: false, transports: ['websocket'] });
io.on('connection', (socket) => socket.join('skill:research'));
server.listen(Number(process.env.PORT), '127.0.0.1');

process.on('message', (msg) => {
  if (msg.cmd === 'sockets') process.send({ cmd: 'sockets', count: io.of('/').sockets.size });
  if (msg.cmd !== 'run') return;
  const { runId, rate, count, task } = msg;
  const interval = 1000 / rate;
  const start = nowMs();
  let seq = 0;
  // Emission times are fixed in advance, so a slow tick does not stretch the run.
  const tick = () => {
    while (seq < count && nowMs() >= start + seq * interval) {
      io.to('skill:research').emit('task.available', { task: { ...task, title: `fanout:${runId}:${seq}:${nowMs()}` } });
      seq++;
    }
    if (seq < count) setTimeout(tick, Math.max(0, start + seq * interval - nowMs()));
    else process.send({ cmd: 'done', sent: seq });
  };
  tick();
});
process.on('SIGTERM', () => {
  io.close();
  process.exit(0);
});
