package io.ferrite.http;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.Tag;

import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CreateTable or UpdateTable asking for a table feature Ferrite does not have (a stream, a KMS key, deletion
 * protection, an on-demand maximum, a resource policy, global tables) gets a ValidationException naming the member,
 * and no table is made or changed: skipping the member, as an unknown one is skipped, would hand its creator a table
 * that does not do what it was told (a DeleteTable that succeeds on a "protected" table). The same members disabled
 * are accepted, as are the ones that change nothing Ferrite promises (Tags, TableClass).
 */
final class TableFeaturesFerriteLacksAreRefusedTest
{
    @TempDir
    static Path dataDir;
    private static HttpNodeFixture fixture;

    @BeforeAll
    static void start()
    {
        fixture = new HttpNodeFixture(dataDir);
    }

    @AfterAll
    static void stop()
    {
        if (null != fixture)
        {
            fixture.close();
        }
    }

    @Test
    void createTableAskingForAMissingFeatureIsRefusedAndMakesNoTable()
    {
        refusedCreate("Streamed", b -> b.streamSpecification(s -> s.streamEnabled(true)
            .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)), "StreamSpecification.StreamEnabled=true");
        refusedCreate("Encrypted", b -> b.sseSpecification(s -> s.enabled(true).kmsMasterKeyId("alias/k")),
            "SSESpecification.Enabled=true");
        refusedCreate("Protected", b -> b.deletionProtectionEnabled(true), "DeletionProtectionEnabled=true");
        refusedCreate("Capped", b -> b.onDemandThroughput(t -> t.maxReadRequestUnits(100L)),
            "OnDemandThroughput");
        refusedCreate("Policed", b -> b.resourcePolicy("{\"Version\":\"2012-10-17\",\"Statement\":[]}"),
            "ResourcePolicy");
    }

    @Test
    void theSameMembersDisabledAreAccepted()
    {
        fixture.dynamo.createTable(table("Plain", b -> b
            .streamSpecification(s -> s.streamEnabled(false))
            .sseSpecification(s -> s.enabled(false))
            .deletionProtectionEnabled(false)
            .onDemandThroughput(t -> t.maxReadRequestUnits(-1L).maxWriteRequestUnits(-1L))
            .tags(Tag.builder().key("team").value("ferrite").build())
            .tableClass("STANDARD")));
        assertEquals("Plain", fixture.dynamo.describeTable(b -> b.tableName("Plain")).table().tableName());

        final DynamoDbException protect = assertThrows(DynamoDbException.class,
            () -> fixture.dynamo.updateTable(b -> b.tableName("Plain").deletionProtectionEnabled(true)));
        assertRefusal(protect, "DeletionProtectionEnabled=true");
        final DynamoDbException stream = assertThrows(DynamoDbException.class,
            () -> fixture.dynamo.updateTable(b -> b.tableName("Plain").streamSpecification(s -> s.streamEnabled(true)
                .streamViewType(StreamViewType.KEYS_ONLY))));
        assertRefusal(stream, "StreamSpecification.StreamEnabled=true");
        final DynamoDbException replicas = assertThrows(DynamoDbException.class,
            () -> fixture.dynamo.updateTable(b -> b.tableName("Plain").replicaUpdates(r -> r.create(c ->
                c.regionName("eu-west-1")))));
        assertRefusal(replicas, "ReplicaUpdates");

        // None of the refused updates changed the table: it still deletes.
        fixture.dynamo.deleteTable(b -> b.tableName("Plain"));
        assertThrows(ResourceNotFoundException.class, () -> fixture.dynamo.describeTable(b -> b.tableName("Plain")));
    }

    private static void refusedCreate(final String name, final Consumer<CreateTableRequest.Builder> feature,
        final String member)
    {
        final DynamoDbException refused = assertThrows(DynamoDbException.class,
            () -> fixture.dynamo.createTable(table(name, feature)));
        assertRefusal(refused, member);
        assertFalse(fixture.dynamo.listTables().tableNames().contains(name), name + " was created");
    }

    private static void assertRefusal(final DynamoDbException refused, final String member)
    {
        assertEquals("ValidationException", refused.awsErrorDetails().errorCode());
        assertEquals(400, refused.statusCode());
        assertTrue(refused.awsErrorDetails().errorMessage().startsWith("Ferrite does not support " + member),
            refused.awsErrorDetails().errorMessage());
    }

    private static CreateTableRequest table(final String name, final Consumer<CreateTableRequest.Builder> extra)
    {
        final CreateTableRequest.Builder b = CreateTableRequest.builder().tableName(name)
            .attributeDefinitions(AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S)
                .build())
            .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
            .billingMode(BillingMode.PAY_PER_REQUEST);
        extra.accept(b);
        return b.build();
    }
}
