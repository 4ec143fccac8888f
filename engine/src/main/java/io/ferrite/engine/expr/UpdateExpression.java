package io.ferrite.engine.expr;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.item.ItemFormat;
import io.ferrite.codecs.item.ItemWriter;
import io.ferrite.engine.shard.ItemUpdate;
import io.ferrite.engine.shard.Table;
import io.ferrite.engine.table.TableSpec;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.Set;

import static io.ferrite.codecs.item.ItemFormat.*;

/**
 * A compiled UpdateExpression: SET (with {@code +}, {@code -}, list_append, if_not_exists), REMOVE, ADD
 * (numbers and sets) and DELETE (from sets), over nested maps and lists. Every action reads the item as
 * it was before the update, as DynamoDB's do. The new item is written in one walk of the old one, guided
 * by a tree of the action paths; untouched attributes are copied as bytes.
 * <p>
 * Rules checked when applied (they depend on the item): any action below a missing or non-container value,
 * REMOVE and DELETE included ("The document path provided in the update expression is invalid for update"), operands of the
 * wrong type or missing ("An operand in the update expression has an incorrect data type", "The provided
 * expression refers to an attribute that does not exist in the item"), key attributes ("Cannot update
 * attribute pk. This attribute is part of the key"), number precision and range, item size.
 * <p>
 * Threading: one thread at a time (the shard's); allocation-free in steady state. Obtain instances from
 * {@link ExpressionCompiler}.
 */
public final class UpdateExpression implements ItemUpdate
{
    private final String text;
    private final List<UpdateAction> actions;
    private final PathTrie trie;
    private final Projector projector;
    private final DecimalMath math;
    private final Set<String> usedNames;
    private final Set<String> usedValues;
    private final boolean setsOrAdds;
    private final ItemWriter writer = new ItemWriter();
    private final UnsafeBuffer number = new UnsafeBuffer(new byte[2 + io.ferrite.codecs.number.DecimalCodec.MAX_ENCODED_LENGTH]);
    private DirectBuffer base;
    private int baseOffset;
    private int baseLength;

    UpdateExpression(
        final String text, final List<UpdateAction> actions, final DecimalMath math,
        final Set<String> usedNames, final Set<String> usedValues)
    {
        this.text = text;
        this.actions = actions;
        this.math = math;
        this.trie = new PathTrie(PathTrie.pathsOf(actions), actions);
        this.projector = new Projector(trie);
        this.usedNames = usedNames;
        this.usedValues = usedValues;
        boolean writes = false;
        for (final UpdateAction action : actions)
        {
            writes |= UpdateAction.Type.SET == action.type || UpdateAction.Type.ADD == action.type;
        }
        this.setsOrAdds = writes;
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

    /**
     * {@inheritDoc}
     * <p>
     * {@code table} may be null to apply the update to a free-standing item (no key attributes to protect).
     */
    public int apply(
        final Table table,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer old, final int oldOffset, final int oldLength,
        final MutableDirectBuffer dst, final int dstOffset)
    {
        checkKeyAttributes(table);
        base = oldLength < 0 ? key : old;
        baseOffset = oldLength < 0 ? keyOffset : oldOffset;
        baseLength = oldLength < 0 ? keyLength : oldLength;
        if (oldLength < 0 && !setsOrAdds)
        {
            return -1;
        }

        writer.reset();
        if (ItemFormat.isIndexed(base, baseOffset))
        {
            mergeIndexedEntries(trie.root.children, base, baseOffset, baseLength);
        }
        else
        {
            mergeEntries(trie.root, base, ItemFormat.firstEntry(baseOffset), ItemFormat.attributeCount(base, baseOffset),
                baseOffset + baseLength);
        }
        final int length = writer.finish();
        if (length > dst.capacity() - dstOffset)
        {
            throw FerriteException.validation("Item size to update has exceeded the maximum allowed size");
        }
        dst.putBytes(dstOffset, writer.buffer(), 0, length);
        return length;
    }

    /**
     * {@inheritDoc}
     */
    public int projectUpdated(
        final DirectBuffer item, final int offset, final int length, final MutableDirectBuffer dst, final int dstOffset)
    {
        return projector.project(item, offset, length, dst, dstOffset);
    }

    private void checkKeyAttributes(final Table table)
    {
        if (null == table)
        {
            return;
        }
        final TableSpec spec = table.definition().spec();
        for (final PathTrie.Node child : trie.root.children)
        {
            if (child.name.equals(spec.partitionKeyName()) || child.name.equals(spec.sortKeyName()))
            {
                throw FerriteException.validation("One or more parameter values were invalid: Cannot update " +
                    "attribute " + child.name + ". This attribute is part of the key");
            }
        }
    }

    /**
     * Writes the entries of an item or map (which end at {@code end}), applying the node's children to the entries
     * they name.
     */
    private void mergeEntries(
        final PathTrie.Node node, final DirectBuffer buf, final int firstEntry, final int count, final int end)
    {
        final PathTrie.Node[] children = node.children;
        int c = 0;
        int entry = firstEntry;
        int runStart = entry; // untouched entries are copied in runs, one copy per run
        int runCount = 0;
        for (int i = 0; i < count; i++)
        {
            final int nameLength = ItemFormat.nameLength(buf, entry);
            final int nameOffset = ItemFormat.nameOffset(entry);
            final int valueOffset = nameOffset + nameLength;
            final int entryLength = valueOffset - entry + ItemFormat.valueLength(buf, valueOffset);
            if (c == children.length)
            {
                // nothing more to change here: the rest, to the container's end, is one run
                runCount += count - i;
                entry = end;
                break;
            }
            int cmp = -1;
            while (c < children.length)
            {
                final PathTrie.Node child = children[c];
                cmp = ItemFormat.compareNames(child.paddedName, 0, child.nameLength, buf, nameOffset, nameLength);
                if (cmp >= 0)
                {
                    break;
                }
                writer.rawEntries(buf, runStart, entry - runStart, runCount);
                runStart = entry;
                runCount = 0;
                emit(child, buf, -1, true);
                c++;
            }
            if (c < children.length && 0 == cmp)
            {
                writer.rawEntries(buf, runStart, entry - runStart, runCount);
                emit(children[c], buf, valueOffset, true);
                c++;
                runStart = entry + entryLength;
                runCount = 0;
            }
            else
            {
                runCount++;
            }
            entry += entryLength;
        }
        writer.rawEntries(buf, runStart, entry - runStart, runCount);
        for (; c < children.length; c++)
        {
            emit(children[c], buf, -1, true);
        }
    }

    /**
     * {@link #mergeEntries} for a top-level item with a name index (decision 0012): entries are reached through the
     * index's offsets instead of one after the other, and untouched runs are copied without walking them again.
     */
    private void mergeIndexedEntries(
        final PathTrie.Node[] children, final DirectBuffer buf, final int itemOff, final int itemLen)
    {
        final int count = ItemFormat.attributeCount(buf, itemOff);
        int c = 0;
        int runFrom = 0; // untouched entries [runFrom, j) are copied in runs, one copy per run
        for (int j = 0; j < count && c < children.length; j++)
        {
            final int entry = ItemFormat.indexedEntry(buf, itemOff, itemLen, count, j);
            final int nameLength = ItemFormat.nameLength(buf, entry);
            final int nameOffset = ItemFormat.nameOffset(entry);
            int cmp = -1;
            while (c < children.length)
            {
                final PathTrie.Node child = children[c];
                cmp = ItemFormat.compareNames(child.paddedName, 0, child.nameLength, buf, nameOffset, nameLength);
                if (cmp >= 0)
                {
                    break;
                }
                writer.rawIndexedEntries(buf, itemOff, itemLen, runFrom, j);
                runFrom = j;
                emit(child, buf, -1, true);
                c++;
            }
            if (c < children.length && 0 == cmp)
            {
                writer.rawIndexedEntries(buf, itemOff, itemLen, runFrom, j);
                emit(children[c], buf, nameOffset + nameLength, true);
                c++;
                runFrom = j + 1;
            }
        }
        writer.rawIndexedEntries(buf, itemOff, itemLen, runFrom, count);
        for (; c < children.length; c++)
        {
            emit(children[c], buf, -1, true);
        }
    }

    /**
     * Writes what a node makes of a value ({@code value} is -1 when it is missing), with the node's name
     * first when {@code named}; writes nothing when the value goes away.
     */
    private void emit(final PathTrie.Node node, final DirectBuffer buf, final int value, final boolean named)
    {
        final UpdateAction action = node.action;
        if (null == action)
        {
            emitContainer(node, buf, value, named);
            return;
        }
        switch (action.type)
        {
            case REMOVE:
                return;

            case SET:
            {
                final Operand operand = action.value;
                final int resolved = operand.resolve(base, baseOffset, baseLength);
                if (resolved < 0)
                {
                    throw Errors.missingOperand();
                }
                name(node, named);
                writer.rawValue(operand.buffer, resolved, ItemFormat.valueLength(operand.buffer, resolved));
                return;
            }

            case ADD:
                add(node, buf, value, named, action.value);
                return;

            default:
                delete(node, buf, value, named, action.value);
        }
    }

    private void emitContainer(final PathTrie.Node node, final DirectBuffer buf, final int value, final boolean named)
    {
        final byte type = value < 0 ? 0 : buf.getByte(value);
        final boolean indexes = node.hasIndexChildren();
        if (value < 0 || (indexes ? TYPE_L != type : TYPE_M != type))
        {
            if (node.acted)
            {
                throw Errors.invalidUpdatePath();
            }
            if (value >= 0)
            {
                name(node, named);
                writer.rawValue(buf, value, ItemFormat.valueLength(buf, value));
            }
            return;
        }

        name(node, named);
        if (!indexes)
        {
            writer.beginMap();
            mergeEntries(node, buf, ItemFormat.firstChild(value), ItemFormat.containerCount(buf, value),
                value + ItemFormat.valueLength(buf, value));
            writer.endMap();
            return;
        }

        writer.beginList();
        final PathTrie.Node[] children = node.children;
        final int count = ItemFormat.containerCount(buf, value);
        int c = 0;
        int element = ItemFormat.firstChild(value);
        for (int i = 0; i < count; i++)
        {
            final int elementLength = ItemFormat.valueLength(buf, element);
            if (c < children.length && children[c].index == i)
            {
                emit(children[c], buf, element, false);
                c++;
            }
            else
            {
                writer.rawValue(buf, element, elementLength);
            }
            element += elementLength;
        }
        for (; c < children.length; c++)
        {
            emit(children[c], buf, -1, false);
        }
        writer.endList();
    }

    private void add(
        final PathTrie.Node node, final DirectBuffer buf, final int value, final boolean named, final Operand operand)
    {
        final DirectBuffer constants = operand.buffer;
        final int constant = operand.resolve(base, baseOffset, baseLength);
        final byte operandType = constants.getByte(constant);
        if (value < 0)
        {
            name(node, named);
            writer.rawValue(constants, constant, ItemFormat.valueLength(constants, constant));
            return;
        }
        final byte type = buf.getByte(value);
        if (TYPE_N == type && TYPE_N == operandType)
        {
            final int length = math.addValues(buf, value, constants, constant, false, number, 0);
            name(node, named);
            writer.rawValue(number, 0, length);
            return;
        }
        if (Values.isSet(type) && type == operandType)
        {
            name(node, named);
            beginSet(type);
            copyElements(buf, value, null, -1);
            copyElements(constants, constant, null, -1);
            writer.endSet();
            return;
        }
        throw Errors.incorrectDataType();
    }

    private void delete(
        final PathTrie.Node node, final DirectBuffer buf, final int value, final boolean named, final Operand operand)
    {
        if (value < 0)
        {
            return;
        }
        final DirectBuffer constants = operand.buffer;
        final int constant = operand.resolve(base, baseOffset, baseLength);
        final byte type = buf.getByte(value);
        if (!Values.isSet(type) || type != constants.getByte(constant))
        {
            throw Errors.incorrectDataType();
        }
        if (0 == copyElements(buf, value, constants, constant, false))
        {
            return;
        }
        name(node, named);
        beginSet(type);
        copyElements(buf, value, constants, constant);
        writer.endSet();
    }

    private int copyElements(final DirectBuffer set, final int setOff, final DirectBuffer except, final int exceptOff)
    {
        return copyElements(set, setOff, except, exceptOff, true);
    }

    /** Writes (or only counts) the elements of a set that are not in {@code except}. */
    private int copyElements(
        final DirectBuffer set, final int setOff, final DirectBuffer except, final int exceptOff, final boolean write)
    {
        final byte type = set.getByte(setOff);
        final int count = ItemFormat.containerCount(set, setOff);
        int kept = 0;
        int element = ItemFormat.firstChild(setOff);
        for (int i = 0; i < count; i++)
        {
            final int payloadOff = ItemFormat.setElementPayloadOffset(type, element);
            final int payloadLen = ItemFormat.setElementPayloadLength(set, type, element);
            if (null == except || !Values.setContains(except, exceptOff, set, payloadOff, payloadLen))
            {
                kept++;
                if (write)
                {
                    if (TYPE_SS == type)
                    {
                        writer.string(set, payloadOff, payloadLen);
                    }
                    else if (TYPE_NS == type)
                    {
                        writer.encodedNumber(set, payloadOff, payloadLen);
                    }
                    else
                    {
                        writer.binary(set, payloadOff, payloadLen);
                    }
                }
            }
            element = payloadOff + payloadLen;
        }
        return kept;
    }

    private void beginSet(final byte type)
    {
        if (TYPE_SS == type)
        {
            writer.beginStringSet();
        }
        else if (TYPE_NS == type)
        {
            writer.beginNumberSet();
        }
        else
        {
            writer.beginBinarySet();
        }
    }

    private void name(final PathTrie.Node node, final boolean named)
    {
        if (named)
        {
            writer.name(node.utf8Name, 0, node.utf8Name.capacity());
        }
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "UpdateExpression{" + text + "}";
    }
}
