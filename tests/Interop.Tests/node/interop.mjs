// A non-.NET Platform client, as the AsyncAPI document (docs/asyncapi.yaml) describes it: plain JSON over AMQP 0-9-1.
//
//   node interop.mjs <amqp-url> <run-id> [timeout-seconds]
//
// 1. Binds its own durable queues to the listing-scored and listing-rejected exchanges.
// 2. Publishes to listing-submitted, as plain JSON (content-type application/json, a UUID message_id, persistent, with
//    publisher confirms): two valid listings, one body that is not JSON, and one listing that fails validation.
// 3. Reads listing-scored (for both valid listings) and listing-rejected (for both bad ones) as plain JSON.
// Prints one JSON object on stdout: what it published and what it consumed. Exits 1 on a timeout or error.
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';

const [url, run, timeoutArg] = process.argv.slice(2);
if (!url || !run) {
  console.error('usage: node interop.mjs <amqp-url> <run-id> [timeout-seconds]');
  process.exit(2);
}
const timeoutMs = Number(timeoutArg ?? 120) * 1000;

const connection = await amqp.connect(url);
try {
  const channel = await connection.createConfirmChannel();

  // Own queues, bound to Platform's fanout exchanges (declared the way MassTransit declares them: durable fanout).
  const queues = {};
  for (const exchange of ['listing-scored', 'listing-rejected']) {
    await channel.assertExchange(exchange, 'fanout', { durable: true });
    const queue = `node-${exchange}-${run}`;
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, exchange, '');
    queues[exchange] = queue;
  }

  await channel.assertExchange('listing-submitted', 'fanout', { durable: true });
  const publish = (body) => {
    const messageId = randomUUID();
    channel.publish('listing-submitted', '', Buffer.from(body, 'utf8'), {
      contentType: 'application/json', messageId, persistent: true,
    });
    return messageId;
  };
  const valid = [1, 2].map((n) => ({
    source: 'node', externalId: `node-${run}-${n}`, title: `Interop listing ${n} (${run})`,
    abstract: 'Published by a Node.js client as plain JSON, without a MassTransit envelope.',
    authors: ['N. Ode'], url: `https://example.org/node/${run}/${n}`, tags: ['interop'], publishedOn: '2026-04-01',
  }));
  const published = {
    valid: valid.map((listing) => ({ externalId: listing.externalId, messageId: publish(JSON.stringify(listing)) })),
    invalidJson: publish(`{"source": "node", "externalId": "node-${run}-broken", "title": `),
    invalidListing: publish(JSON.stringify({ source: 'node', externalId: `node-${run}-invalid`, title: ' ', url: 'ftp://example.org/x' })),
  };
  await channel.waitForConfirms();

  const scored = [];
  const rejected = [];
  const done = () => scored.length >= valid.length && rejected.length >= 2;
  const read = (exchange, into, keep) => channel.consume(queues[exchange], (msg) => {
    const body = JSON.parse(msg.content.toString('utf8'));
    if (keep(body)) {
      into.push({ messageId: msg.properties.messageId, contentType: msg.properties.contentType, body });
    }
    channel.ack(msg);
  });
  const finished = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `timed out after ${timeoutMs / 1000} s with ${scored.length} listing-scored and ${rejected.length} listing-rejected`)), timeoutMs);
    const poll = setInterval(() => { if (done()) { clearTimeout(timer); clearInterval(poll); resolve(); } }, 100);
  });
  const ids = new Set([published.invalidJson, published.invalidListing]);
  await read('listing-scored', scored, (e) => typeof e.title === 'string' && e.title.includes(`(${run})`));
  await read('listing-rejected', rejected, (e) => ids.has(e.submissionMessageId));
  await finished;

  process.stdout.write(JSON.stringify({ published, scored, rejected }) + '\n');
  await channel.close();
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exitCode = 1;
} finally {
  await connection.close().catch(() => {});
}
