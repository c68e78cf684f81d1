// The portal benchmark's reference (bench/run.ts): Node's bare http.createServer, in a process of its own like the
// portal, answering every request with the very reply the portal gave to the load generator's request (status,
// headers, body bytes — gzipped, as vegeta asks). What the portal adds on top of Node is the ratio of the two.
//   node bench/bare-server.mjs <port> <reply.json>   (reply.json: { status, headers, body (base64) })
import fs from 'node:fs';
import http from 'node:http';

const [port, file] = process.argv.slice(2);
const reply = JSON.parse(fs.readFileSync(file, 'utf8'));
const body = Buffer.from(reply.body, 'base64');
http
  .createServer((req, res) => {
    res.writeHead(reply.status, reply.headers);
    res.end(body);
  })
  .listen(Number(port), '127.0.0.1');
