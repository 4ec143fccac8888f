package io.ferrite.transport.node;

import io.ferrite.codecs.sbe.BatchGetItemRequestDecoder;
import io.ferrite.codecs.sbe.BatchWriteItemRequestDecoder;
import io.ferrite.codecs.sbe.ConnectRequestDecoder;
import io.ferrite.codecs.sbe.CreateTableRequestDecoder;
import io.ferrite.codecs.sbe.DeleteItemRequestDecoder;
import io.ferrite.codecs.sbe.DeleteTableRequestDecoder;
import io.ferrite.codecs.sbe.DescribeTableRequestDecoder;
import io.ferrite.codecs.sbe.DisconnectDecoder;
import io.ferrite.codecs.sbe.GetItemRequestDecoder;
import io.ferrite.codecs.sbe.KeepAliveDecoder;
import io.ferrite.codecs.sbe.ListTablesRequestDecoder;
import io.ferrite.codecs.sbe.PutItemRequestDecoder;
import io.ferrite.codecs.sbe.QueryRequestDecoder;
import io.ferrite.codecs.sbe.ScanRequestDecoder;
import io.ferrite.codecs.sbe.UpdateItemRequestDecoder;
import io.ferrite.codecs.sbe.UpdateTableRequestDecoder;

/**
 * The requests a node takes, numbered densely for counters and latency histograms, and mapped from
 * SBE template ids. Stateless; safe from any thread.
 */
final class Operations
{
    static final int CONNECT = 0;
    static final int KEEP_ALIVE = 1;
    static final int DISCONNECT = 2;
    static final int CREATE_TABLE = 3;
    static final int DELETE_TABLE = 4;
    static final int DESCRIBE_TABLE = 5;
    static final int LIST_TABLES = 6;
    static final int PUT_ITEM = 7;
    static final int GET_ITEM = 8;
    static final int DELETE_ITEM = 9;
    static final int UPDATE_ITEM = 10;
    static final int QUERY = 11;
    static final int SCAN = 12;
    static final int BATCH_GET_ITEM = 13;
    static final int BATCH_WRITE_ITEM = 14;
    static final int UPDATE_TABLE = 15;
    static final int COUNT = 16;
    static final int NONE = -1;

    private static final String[] NAMES = {
        "Connect", "KeepAlive", "Disconnect", "CreateTable", "DeleteTable", "DescribeTable", "ListTables",
        "PutItem", "GetItem", "DeleteItem", "UpdateItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "UpdateTable" };

    private static final int[] BY_TEMPLATE = new int[128];

    static
    {
        java.util.Arrays.fill(BY_TEMPLATE, NONE);
        BY_TEMPLATE[ConnectRequestDecoder.TEMPLATE_ID] = CONNECT;
        BY_TEMPLATE[KeepAliveDecoder.TEMPLATE_ID] = KEEP_ALIVE;
        BY_TEMPLATE[DisconnectDecoder.TEMPLATE_ID] = DISCONNECT;
        BY_TEMPLATE[CreateTableRequestDecoder.TEMPLATE_ID] = CREATE_TABLE;
        BY_TEMPLATE[DeleteTableRequestDecoder.TEMPLATE_ID] = DELETE_TABLE;
        BY_TEMPLATE[DescribeTableRequestDecoder.TEMPLATE_ID] = DESCRIBE_TABLE;
        BY_TEMPLATE[ListTablesRequestDecoder.TEMPLATE_ID] = LIST_TABLES;
        BY_TEMPLATE[PutItemRequestDecoder.TEMPLATE_ID] = PUT_ITEM;
        BY_TEMPLATE[GetItemRequestDecoder.TEMPLATE_ID] = GET_ITEM;
        BY_TEMPLATE[DeleteItemRequestDecoder.TEMPLATE_ID] = DELETE_ITEM;
        BY_TEMPLATE[UpdateItemRequestDecoder.TEMPLATE_ID] = UPDATE_ITEM;
        BY_TEMPLATE[QueryRequestDecoder.TEMPLATE_ID] = QUERY;
        BY_TEMPLATE[ScanRequestDecoder.TEMPLATE_ID] = SCAN;
        BY_TEMPLATE[BatchGetItemRequestDecoder.TEMPLATE_ID] = BATCH_GET_ITEM;
        BY_TEMPLATE[BatchWriteItemRequestDecoder.TEMPLATE_ID] = BATCH_WRITE_ITEM;
        BY_TEMPLATE[UpdateTableRequestDecoder.TEMPLATE_ID] = UPDATE_TABLE;
    }

    private Operations()
    {
    }

    /**
     * @param templateId an SBE template id.
     * @return the operation a client may send with it, or {@link #NONE}.
     */
    static int ofTemplate(final int templateId)
    {
        return templateId >= 0 && templateId < BY_TEMPLATE.length ? BY_TEMPLATE[templateId] : NONE;
    }

    static String name(final int operation)
    {
        return NAMES[operation];
    }
}
