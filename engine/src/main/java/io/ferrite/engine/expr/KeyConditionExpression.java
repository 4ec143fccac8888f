package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.engine.shard.KeyValue;
import io.ferrite.engine.shard.QueryRequest;
import io.ferrite.engine.shard.SortKeyCondition;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.table.KeyType;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A compiled KeyConditionExpression: {@code pk = :v}, optionally {@code AND} one sort key condition
 * ({@code =, <, <=, >, >=, BETWEEN, begins_with}). It is not evaluated item by item: {@link #applyTo} turns
 * it into the partition key value and sort key range of a {@link QueryRequest}, which the shard seeks.
 * <p>
 * Threading: immutable after compilation; {@link #applyTo} allocates nothing.
 */
public final class KeyConditionExpression
{
    private static final ExpressionKind KIND = ExpressionKind.KEY_CONDITION;

    private final String text;
    private final Predicate[] terms;
    private final Set<String> usedNames;
    private final Set<String> usedValues;

    KeyConditionExpression(
        final String text, final Predicate root, final Set<String> usedNames, final Set<String> usedValues)
    {
        this.text = text;
        final List<Predicate> collected = new ArrayList<>();
        collect(root, collected);
        if (collected.size() > 2)
        {
            throw FerriteException.validation("KeyConditionExpressions must only contain one condition per key");
        }
        for (final Predicate term : collected)
        {
            checkTerm(term);
        }
        this.terms = collected.toArray(new Predicate[0]);
        this.usedNames = usedNames;
        this.usedValues = usedValues;
    }

    /**
     * Sets the request's partition key value and sort key condition from this expression.
     *
     * @param table   the table queried (for its key schema).
     * @param request the query to set.
     * @throws FerriteException ValidationException when the expression does not fit the key schema.
     */
    public void applyTo(final Table table, final QueryRequest request)
    {
        final TableSpec spec = table.definition().spec();
        boolean partitionKeySet = false;
        boolean sortKeySet = false;
        for (final Predicate term : terms)
        {
            final String name = attributeName(term);
            if (name.equals(spec.partitionKeyName()))
            {
                if (partitionKeySet)
                {
                    throw FerriteException.validation("KeyConditionExpressions must only contain one condition per key");
                }
                if (!(term instanceof Predicate.Compare) || Predicate.Comparator.EQ != ((Predicate.Compare)term).comparator)
                {
                    throw FerriteException.validation("Query key condition not supported");
                }
                set(request.partitionKey(), ((Predicate.Compare)term).right);
                partitionKeySet = true;
            }
            else if (name.equals(spec.sortKeyName()))
            {
                if (sortKeySet)
                {
                    throw FerriteException.validation("KeyConditionExpressions must only contain one condition per key");
                }
                applySortKey(term, request);
                sortKeySet = true;
            }
            else
            {
                throw FerriteException.validation("Query condition missed key schema element: " +
                    (null != spec.sortKeyName() && namesAttribute(spec.partitionKeyName()) ?
                    spec.sortKeyName() : spec.partitionKeyName()));
            }
        }
        if (!partitionKeySet)
        {
            throw FerriteException.validation("Query condition missed key schema element: " + spec.partitionKeyName());
        }
    }

    /**
     * The {@code :value} placeholder compared for equality with the partition key, so that a front can route a
     * Query by the partition key's value before the shard applies the expression.
     *
     * @param partitionKeyName the table's partition key attribute.
     * @return the placeholder (e.g. {@code ":pk"}), or null when no term is {@code partitionKeyName = :value}.
     */
    public String partitionKeyPlaceholder(final String partitionKeyName)
    {
        for (final Predicate term : terms)
        {
            if (attributeName(term).equals(partitionKeyName) && term instanceof Predicate.Compare &&
                Predicate.Comparator.EQ == ((Predicate.Compare)term).comparator &&
                ((Predicate.Compare)term).right instanceof Operand.Constant)
            {
                return ((Operand.Constant)((Predicate.Compare)term).right).placeholder;
            }
        }
        return null;
    }

    private boolean namesAttribute(final String name)
    {
        for (final Predicate term : terms)
        {
            if (attributeName(term).equals(name))
            {
                return true;
            }
        }
        return false;
    }

    private static void applySortKey(final Predicate term, final QueryRequest request)
    {
        if (term instanceof Predicate.Between)
        {
            final Predicate.Between between = (Predicate.Between)term;
            set(request.sortKey(SortKeyCondition.BETWEEN), between.low);
            set(request.sortKeyUpper(), between.high);
            return;
        }
        if (term instanceof Predicate.Function)
        {
            set(request.sortKey(SortKeyCondition.BEGINS_WITH), ((Predicate.Function)term).second);
            return;
        }
        final Predicate.Compare compare = (Predicate.Compare)term;
        final SortKeyCondition condition;
        switch (compare.comparator)
        {
            case EQ:
                condition = SortKeyCondition.EQ;
                break;
            case LT:
                condition = SortKeyCondition.LT;
                break;
            case LE:
                condition = SortKeyCondition.LE;
                break;
            case GT:
                condition = SortKeyCondition.GT;
                break;
            case GE:
                condition = SortKeyCondition.GE;
                break;
            default:
                throw FerriteException.validation("Unsupported operator on KeyConditionExpression: operator: <>");
        }
        set(request.sortKey(condition), compare.right);
    }

    private static void set(final KeyValue target, final Operand operand)
    {
        final DirectBuffer constants = operand.buffer;
        final int value = operand.resolve(null, 0, -1);
        final byte tag = constants.getByte(value);
        final KeyType type = KeyType.fromTag(tag);
        if (null == type)
        {
            throw FerriteException.validation(
                "One or more parameter values were invalid: Condition parameter type does not match schema type");
        }
        target.payload(type, constants, ItemFormat.payloadOffset(value, tag), ItemFormat.payloadLength(constants, value));
    }

    private static void collect(final Predicate predicate, final List<Predicate> into)
    {
        if (predicate instanceof Predicate.And)
        {
            collect(((Predicate.And)predicate).left, into);
            collect(((Predicate.And)predicate).right, into);
            return;
        }
        into.add(predicate);
    }

    private static void checkTerm(final Predicate term)
    {
        if (term instanceof Predicate.Or)
        {
            throw invalidOperator("OR");
        }
        if (term instanceof Predicate.Not)
        {
            throw invalidOperator("NOT");
        }
        if (term instanceof Predicate.In)
        {
            throw invalidOperator("IN");
        }
        if (term instanceof Predicate.Exists)
        {
            throw invalidOperator(((Predicate.Exists)term).exists ? "attribute_exists" : "attribute_not_exists");
        }
        if (term instanceof Predicate.Type)
        {
            throw invalidOperator("attribute_type");
        }
        if (term instanceof Predicate.Function && !((Predicate.Function)term).beginsWith)
        {
            throw invalidOperator("contains");
        }
        if (term instanceof Predicate.Compare && Predicate.Comparator.NE == ((Predicate.Compare)term).comparator)
        {
            throw invalidOperator("<>");
        }
        final Operand key;
        final Operand[] values;
        if (term instanceof Predicate.Compare)
        {
            key = ((Predicate.Compare)term).left;
            values = new Operand[]{((Predicate.Compare)term).right};
        }
        else if (term instanceof Predicate.Between)
        {
            key = ((Predicate.Between)term).value;
            values = new Operand[]{((Predicate.Between)term).low, ((Predicate.Between)term).high};
        }
        else
        {
            key = ((Predicate.Function)term).first;
            values = new Operand[]{((Predicate.Function)term).second};
        }
        if (!(key instanceof Operand.Path) || ((Operand.Path)key).path.length() != 1)
        {
            throw Errors.invalid(KIND, "The left hand side of a key condition must be a key attribute name: " + key);
        }
        for (final Operand value : values)
        {
            if (!(value instanceof Operand.Constant))
            {
                throw Errors.invalid(KIND, "The right hand side of a key condition must be an expression attribute " +
                    "value: " + value);
            }
        }
    }

    private static String attributeName(final Predicate term)
    {
        final Operand key = term instanceof Predicate.Compare ? ((Predicate.Compare)term).left :
            term instanceof Predicate.Between ? ((Predicate.Between)term).value : ((Predicate.Function)term).first;
        return ((Operand.Path)key).path.names[0];
    }

    private static FerriteException invalidOperator(final String operator)
    {
        return FerriteException.validation("Invalid operator used in KeyConditionExpression: " + operator);
    }

    /**
     * @return the expression's text.
     */
    public String text()
    {
        return text;
    }

    /**
     * @return the {@code #name} placeholders the expression uses.
     */
    public Set<String> usedNames()
    {
        return usedNames;
    }

    /**
     * @return the {@code :value} placeholders the expression uses.
     */
    public Set<String> usedValues()
    {
        return usedValues;
    }
}
