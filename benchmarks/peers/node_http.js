// HTTP server for benchmarks/peers, the peer of samples/HttpServer: GET / answers the same fixed body.
// node node_http.js --port 0 ; prints "listening on 127.0.0.1:PORT ..." once it listens.
'use strict';
const http = require('http');
const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf('--' + name); return i >= 0 ? args[i + 1] : def; };
const host = opt('host', '127.0.0.1');
const body = Buffer.from('Hello, World!\n');
const server = http.createServer((req, res) => {
  if (req.url === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length, 'Server': 'node' });
    res.end(req.method === 'HEAD' ? undefined : body);
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 });
    res.end('Not Found\n');
  }
});
server.keepAliveTimeout = 60000;
server.listen({ host, port: Number(opt('port', 8080)), backlog: 1024 }, () => {
  console.log(`listening on ${host}:${server.address().port} impl=node-http pid=${process.pid}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.close(); process.exit(0); });
