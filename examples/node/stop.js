#!/usr/bin/env node
// A producer and a subscriber of the opt-out service that are not .NET, with amqplib:
//  - as an SMS gateway, it publishes a contact's STOP as plain JSON (content type application/json, no MassTransit
//    envelope) to the exchange OptOut.Contracts:InboundMessage;
//  - as a campaign service, it reads the two events the STOP causes, ConversationOptStateChanged and
//    ConfirmationMessageRequested, from queues of its own bound to their exchanges, and prints them.
// Exit code 0 once both arrived; 1 when they did not within TIMEOUT_MS, or the broker or the service is not there.
//
//   npm ci && node stop.js        (the service running: deploy/run.sh)
//
// Environment: AMQP_URL (default amqp://guest:guest@localhost:5672/; a virtual host goes last, URL-encoded),
// FROM (the contact's number; default a new +1 555 201 number each run, since a number already opted out changes
// nothing and causes no event), TO (our number the contact texted), TIMEOUT_MS (default 30000).
'use strict';

const crypto = require('node:crypto');
const amqp = require('amqplib');

// The account the text belongs to, as the platform knows it (the service compares it exactly; every event names it).
// Written only here: put your platform's account id in its place.
const ACCOUNT_ID = 'acme-campaigns';

const AMQP_URL = process.env.AMQP_URL || 'amqp://guest:guest@localhost:5672/';
const FROM = process.env.FROM || `+1555201${crypto.randomInt(10_000).toString().padStart(4, '0')}`;
const TO = process.env.TO || '+15559870000';
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 30_000);

// The exchange of a message is its .NET type's full name with ':' before the type (MassTransit's naming).
const INBOUND_EXCHANGE = 'OptOut.Contracts:InboundMessage';
const EVENTS = ['ConversationOptStateChanged', 'ConfirmationMessageRequested'];

/** Phone numbers are never printed whole (the service's own rule for logs): the last 4 digits only. */
function mask(phone) {
  if (!phone) return '(none)';
  return phone.length <= 4 ? '*'.repeat(phone.length) : '*'.repeat(phone.length - 4) + phone.slice(-4);
}

/** What a subscriber needs of each event, with every phone number masked. */
function describe(type, message) {
  if (type === 'ConversationOptStateChanged') {
    const detection = message.detection ? `, read as ${message.detection.method} '${message.detection.matched}' (${message.detection.language})` : '';
    return `${mask(message.phoneNumber)} is ${message.state} (source ${message.source}${detection}) since ${message.changedAt}`;
  }
  return `send the ${message.kind || 'OptOut'} text from ${mask(message.from)} to ${mask(message.to)} (${message.language || 'en'}): "${message.body}"`;
}

// Set once: by the last event that arrives, or by the first failure.
let finished = false;
let connection = null;

/** Reports the first failure, exits 1. Closing the connection ends the process's last handle (the timer is unref'd). */
function fail(reason) {
  if (finished) return;
  finished = true;
  console.error(`FAILED: ${reason}`);
  process.exitCode = 1;
  connection?.close().catch(() => {});
}

async function main() {
  connection = await amqp.connect(AMQP_URL);
  connection.on('error', (error) => fail(`the broker connection failed: ${error.message}`));
  connection.on('close', () => fail('the broker closed the connection'));

  // The service declares its input exchange when it starts; a producer publishes to it and declares nothing. A
  // passive declare fails (and closes its channel) when the exchange is missing, so it gets a channel of its own.
  const probe = await connection.createChannel();
  probe.on('error', () => {});
  try {
    await probe.checkExchange(INBOUND_EXCHANGE);
    await probe.close();
  } catch {
    fail(`the exchange ${INBOUND_EXCHANGE} does not exist on ${redact(AMQP_URL)}: start the service first`);
    return;
  }

  const channel = await connection.createConfirmChannel();
  channel.on('error', (error) => fail(`the channel failed: ${error.message}`));
  // mandatory: a message no queue takes comes back here instead of being dropped by the broker.
  channel.on('return', () => fail(`no queue is bound to ${INBOUND_EXCHANGE}: the service is not consuming`));

  const conversationId = `node-example-${crypto.randomUUID()}`;
  const pending = new Set(EVENTS);
  const timer = setTimeout(() => {
    fail(`no ${[...pending].join(' and no ')} for ${mask(FROM)} within ${TIMEOUT_MS} ms `
      + '(a number already opted out changes nothing: run again, or set FROM to another number)');
  }, TIMEOUT_MS);
  timer.unref();

  // Queues of our own, bound before the publish so no event can be missed: exclusive (deleted when we disconnect).
  // The event exchanges are fanout and durable, as MassTransit declares them; declaring them here too is harmless
  // and lets us bind before the service has published its first event.
  for (const type of EVENTS) {
    const exchange = `OptOut.Contracts:${type}`;
    await channel.assertExchange(exchange, 'fanout', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, '');
    await channel.consume(queue, (delivery) => {
      if (delivery === null) return fail(`the broker cancelled the consumer of ${exchange}`);
      // The service publishes the MassTransit envelope: the event is its "message", its id "messageId".
      const envelope = JSON.parse(delivery.content.toString('utf8'));
      const message = envelope.message ?? envelope;
      // Every event of every account reaches a queue bound to the exchange: ours are this run's conversation's.
      if (message.accountId !== ACCOUNT_ID || message.conversationId !== conversationId || !pending.has(type)) return;
      pending.delete(type);
      console.log(`${type} ${envelope.messageId ?? delivery.properties.messageId}: ${describe(type, message)}`);
      if (pending.size === 0 && !finished) {
        finished = true;
        clearTimeout(timer);
        connection.close().catch(() => {});
      }
    }, { noAck: true });
  }

  const text = {
    accountId: ACCOUNT_ID,
    from: FROM,
    to: TO,
    body: 'STOP',
    receivedAt: new Date().toISOString(),
    // The gateway's id of the text: the same id delivered again changes nothing and publishes nothing twice.
    providerMessageId: `node-example-${crypto.randomUUID()}`,
    conversationId,
    campaignId: 'node-example',
  };
  channel.publish(INBOUND_EXCHANGE, '', Buffer.from(JSON.stringify(text)), {
    contentType: 'application/json',
    messageId: crypto.randomUUID(),
    persistent: true,
    mandatory: true,
  });
  await channel.waitForConfirms();
  console.log(`published STOP from ${mask(FROM)} to ${mask(TO)} for account ${ACCOUNT_ID}; waiting for its events`);
}

/** The broker URL without its password, for messages. */
function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(the AMQP_URL given)';
  }
}

main().catch((error) => fail(error.message));
