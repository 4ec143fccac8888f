/**
 * {@code ferrite cli}: the AWS CLI's {@code dynamodb} commands, options, DynamoDB JSON, shorthand syntax,
 * pagination, output formats and exit codes, over a {@link io.ferrite.tools.cli.CliBackend} (an embedded
 * data directory today; a node over the SBE client once it is merged).
 */
package io.ferrite.tools.cli;
