/**
 * {@code ferrite cli}: the AWS CLI's {@code dynamodb} commands, options, DynamoDB JSON, shorthand syntax,
 * pagination, output formats and exit codes, over a {@link io.ferrite.tools.cli.CliBackend}: a node over
 * the blocking SBE client ({@link io.ferrite.tools.cli.AeronBackend}, {@code aeron:ipc} / {@code aeron:udp?...})
 * or a data directory opened in-process ({@link io.ferrite.tools.cli.EmbeddedBackend}, {@code file://}).
 */
package io.ferrite.tools.cli;
