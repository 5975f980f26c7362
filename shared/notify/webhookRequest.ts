import { createHmac } from 'node:crypto';
import type { Notification } from './notification.js';

/** The webhook body's schema name: a receiver checks it before reading further. */
export const WEBHOOK_SCHEMA = 'mde-responder/notification@1';

export const SIGNATURE_HEADER = 'x-responder-signature';
export const TIMESTAMP_HEADER = 'x-responder-timestamp';
export const DELIVERY_HEADER = 'x-responder-delivery';
export const EVENT_HEADER = 'x-responder-event';

export interface WebhookRequest {
  /** The exact bytes POSTed (UTF-8 JSON); the signature covers them. */
  body: string;
  headers: Record<string, string>;
}

/**
 * The generic webhook's POST: the notification as JSON (every text from
 * outside a JSON string, never markup), signed with HMAC-SHA256.
 *
 * Signature: `x-responder-signature: sha256=<hex>` where hex is
 * HMAC-SHA256(secret, `<timestamp>.<body>`), timestamp being the
 * `x-responder-timestamp` header (Unix seconds) and body the exact bytes
 * received. A receiver recomputes it over the raw body before parsing,
 * compares in constant time, and refuses a timestamp too far from its own
 * clock (replays). `x-responder-delivery` is the notification's id, the same
 * on every retry: deliveries are at least once, so deduplicate on it.
 */
export function webhookRequest(notification: Notification, secret: string, nowMs: number): WebhookRequest {
  const body = JSON.stringify({ schema: WEBHOOK_SCHEMA, ...toJson(notification) });
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      [SIGNATURE_HEADER]: `sha256=${webhookSignature(secret, timestamp, body)}`,
      [TIMESTAMP_HEADER]: timestamp,
      [DELIVERY_HEADER]: notification.id,
      [EVENT_HEADER]: notification.kind,
    },
  };
}

/** HMAC-SHA256 (hex) of `<timestamp>.<body>` with the secret: what `x-responder-signature` carries after `sha256=`. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** Times as ISO 8601 beside the epoch milliseconds the rest of the model keeps. */
function toJson(notification: Notification): Record<string, unknown> {
  const { atMs, ...rest } = notification;
  return { ...rest, at: new Date(atMs).toISOString() };
}
