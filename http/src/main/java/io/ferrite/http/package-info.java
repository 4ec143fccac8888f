/**
 * The DynamoDB-compatible HTTP/JSON front: DynamoDB's {@code DynamoDB_20120810} protocol
 * ({@code application/x-amz-json-1.0}, {@code X-Amz-Target}) over HTTP/1.1 keep-alive on Netty, translated with
 * Jackson's streaming parser and generator to and from the node's SBE protocol. Each event loop is one client
 * session with the node, so HTTP requests pass through the same router, admission and shards as SBE requests.
 */
package io.ferrite.http;
