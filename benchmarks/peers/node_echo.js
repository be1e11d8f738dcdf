// Echo server for benchmarks/peers: Node's net module. node node_echo.js --port 0
// Prints "listening on 127.0.0.1:PORT ..." once it listens; serves until SIGINT/SIGTERM.
'use strict';
const net = require('net');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf('--' + name); return i >= 0 ? args[i + 1] : def; };
const host = opt('host', '127.0.0.1');
const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (data) => { if (!socket.write(data)) { socket.pause(); } });
  socket.on('drain', () => socket.resume());
  socket.on('error', () => {});
});
server.listen({ host, port: Number(opt('port', 8888)), backlog: 1024 }, () => {
  console.log(`listening on ${host}:${server.address().port} impl=node pid=${process.pid}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.close(); process.exit(0); });
