package io.ferrite.engine.admission;

/**
 * DynamoDB's BillingMode: how a table's throughput is set and charged.
 */
public enum BillingMode
{
    /**
     * Read and write capacity units are set on CreateTable / UpdateTable and enforced as rates.
     */
    PROVISIONED,

    /**
     * On-demand: no capacity to set; a table may use up to twice its previous peak (decision 0009).
     */
    PAY_PER_REQUEST
}
