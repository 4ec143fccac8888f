package io.ferrite.tools.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The three {@code --output} formats of a response tree:
 * <ul>
 *   <li>{@code json}: the response as the AWS CLI prints it (see {@link Json#pretty});</li>
 *   <li>{@code text}: the AWS CLI's tab-separated text (scalars of an object on one line, in key order,
 *   prefixed by the upper-cased key it hangs from; nested objects and lists on their own lines);</li>
 *   <li>{@code table}: a readable grid: items as rows with one column per attribute, single items and
 *   table descriptions as name/value rows.</li>
 * </ul>
 * Threading: stateless.
 */
public final class OutputFormat
{
    private OutputFormat()
    {
    }

    /**
     * @param tree a response.
     * @return the AWS CLI's text output of it (each line ends with a newline).
     */
    public static String text(final Object tree)
    {
        final StringBuilder out = new StringBuilder();
        text(out, tree, null, null);
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static void text(final StringBuilder out, final Object node, final String identifier, final List<String> scalarKeys)
    {
        if (node instanceof Map)
        {
            final Map<String, Object> map = (Map<String, Object>)node;
            final List<String> scalars = new ArrayList<>();
            final List<Map.Entry<String, Object>> nested = new ArrayList<>();
            if (null == scalarKeys)
            {
                for (final String key : new TreeSet<>(map.keySet()))
                {
                    final Object value = map.get(key);
                    if (isContainer(value))
                    {
                        nested.add(Map.entry(key, value));
                    }
                    else
                    {
                        scalars.add(pythonStr(value));
                    }
                }
            }
            else
            {
                for (final String key : scalarKeys)
                {
                    scalars.add(map.containsKey(key) ? pythonStr(map.get(key)) : "");
                }
                final Set<String> remaining = new TreeSet<>(map.keySet());
                remaining.removeAll(scalarKeys);
                for (final String key : remaining)
                {
                    nested.add(Map.entry(key, map.get(key)));
                }
            }
            if (!scalars.isEmpty())
            {
                if (null != identifier)
                {
                    scalars.add(0, identifier.toUpperCase());
                }
                out.append(String.join("\t", scalars)).append('\n');
            }
            for (final Map.Entry<String, Object> entry : nested)
            {
                text(out, entry.getValue(), entry.getKey(), null);
            }
        }
        else if (node instanceof List)
        {
            final List<Object> list = (List<Object>)node;
            if (list.isEmpty())
            {
                return;
            }
            if (list.stream().anyMatch(e -> e instanceof Map))
            {
                final Set<String> keys = new TreeSet<>();
                for (final Object element : list)
                {
                    if (element instanceof Map)
                    {
                        ((Map<String, Object>)element).forEach((k, v) ->
                        {
                            if (!isContainer(v))
                            {
                                keys.add(k);
                            }
                        });
                    }
                }
                final List<String> allKeys = new ArrayList<>(keys);
                for (final Object element : list)
                {
                    text(out, element, identifier, allKeys);
                }
            }
            else
            {
                final List<Object> scalars = new ArrayList<>();
                final List<Object> containers = new ArrayList<>();
                list.forEach(e -> (isContainer(e) ? containers : scalars).add(e));
                if (!scalars.isEmpty())
                {
                    if (null != identifier)
                    {
                        scalars.forEach(e -> out.append(identifier.toUpperCase()).append('\t').append(pythonStr(e))
                            .append('\n'));
                    }
                    else
                    {
                        final List<String> texts = new ArrayList<>();
                        scalars.forEach(e -> texts.add(pythonStr(e)));
                        out.append(String.join("\t", texts)).append('\n');
                    }
                }
                containers.forEach(e -> text(out, e, identifier, null));
            }
        }
        else
        {
            out.append(pythonStr(node)).append('\n');
        }
    }

    private static boolean isContainer(final Object value)
    {
        return value instanceof Map || value instanceof List;
    }

    private static String pythonStr(final Object value)
    {
        if (null == value)
        {
            return "None";
        }
        if (value instanceof Boolean)
        {
            return (Boolean)value ? "True" : "False";
        }
        return value instanceof java.math.BigDecimal ? ((java.math.BigDecimal)value).toPlainString() : value.toString();
    }

    /**
     * @param title     the operation's name, printed above the grid.
     * @param tree      a response.
     * @return readable grids (each line ends with a newline).
     */
    @SuppressWarnings("unchecked")
    public static String table(final String title, final Object tree)
    {
        final StringBuilder out = new StringBuilder();
        out.append(title).append('\n');
        if (!(tree instanceof Map))
        {
            out.append(pythonStr(tree)).append('\n');
            return out.toString();
        }
        final List<String[]> summary = new ArrayList<>();
        for (final Map.Entry<String, Object> entry : ((Map<String, Object>)tree).entrySet())
        {
            final String key = entry.getKey();
            final Object value = entry.getValue();
            if (!isContainer(value))
            {
                summary.add(new String[]{ key, pythonStr(value) });
            }
            else if ("Items".equals(key))
            {
                itemsGrid(out, key, (List<Object>)value);
            }
            else if ("Item".equals(key) || "Attributes".equals(key) || "LastEvaluatedKey".equals(key))
            {
                attributeGrid(out, key, (Map<String, Object>)value);
            }
            else if ("Responses".equals(key))
            {
                ((Map<String, Object>)value).forEach((table, items) ->
                    itemsGrid(out, "Responses: " + table, (List<Object>)items));
            }
            else if ("TableNames".equals(key))
            {
                final List<String[]> rows = new ArrayList<>();
                ((List<Object>)value).forEach(name -> rows.add(new String[]{ pythonStr(name) }));
                grid(out, key, new String[]{ "TableName" }, rows);
            }
            else if (value instanceof Map && ((Map<String, Object>)value).isEmpty())
            {
                summary.add(new String[]{ key, "(none)" });
            }
            else if (key.startsWith("Unprocessed"))
            {
                int count = 0;
                for (final Object list : ((Map<String, Object>)value).values())
                {
                    count += list instanceof List ? ((List<Object>)list).size() :
                        ((List<Object>)((Map<String, Object>)list).getOrDefault("Keys", List.of())).size();
                }
                summary.add(new String[]{ key, count + " (see --output json)" });
            }
            else
            {
                final List<String[]> rows = new ArrayList<>();
                flatten("", value, rows);
                grid(out, key, new String[]{ "Name", "Value" }, rows);
            }
        }
        if (!summary.isEmpty())
        {
            grid(out, null, null, summary);
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static void itemsGrid(final StringBuilder out, final String caption, final List<Object> items)
    {
        final Set<String> columns = new LinkedHashSet<>();
        items.forEach(item -> columns.addAll(((Map<String, Object>)item).keySet()));
        final List<String[]> rows = new ArrayList<>();
        for (final Object item : items)
        {
            final Map<String, Object> attributes = (Map<String, Object>)item;
            final String[] row = new String[columns.size()];
            int i = 0;
            for (final String column : columns)
            {
                final Object value = attributes.get(column);
                row[i++] = null == value ? "" : cell(value);
            }
            rows.add(row);
        }
        grid(out, caption, columns.toArray(new String[0]), rows);
    }

    @SuppressWarnings("unchecked")
    private static void attributeGrid(final StringBuilder out, final String caption, final Map<String, Object> item)
    {
        final List<String[]> rows = new ArrayList<>();
        item.forEach((name, value) ->
        {
            final Map<String, Object> typed = (Map<String, Object>)value;
            final String type = typed.isEmpty() ? "" : typed.keySet().iterator().next();
            rows.add(new String[]{ name, type, cell(value) });
        });
        grid(out, caption, new String[]{ "Attribute", "Type", "Value" }, rows);
    }

    /**
     * A DynamoDB JSON value as one cell: scalars as their text, containers as compact JSON.
     */
    @SuppressWarnings("unchecked")
    private static String cell(final Object value)
    {
        final Map<String, Object> typed = (Map<String, Object>)value;
        if (typed.size() != 1)
        {
            return Json.compact(value);
        }
        final Object inner = typed.values().iterator().next();
        if ("NULL".equals(typed.keySet().iterator().next()))
        {
            return "null";
        }
        return isContainer(inner) ? Json.compact(inner) : String.valueOf(inner);
    }

    @SuppressWarnings("unchecked")
    private static void flatten(final String prefix, final Object value, final List<String[]> rows)
    {
        if (value instanceof Map)
        {
            ((Map<String, Object>)value).forEach((k, v) -> flatten(prefix.isEmpty() ? k : prefix + "." + k, v, rows));
        }
        else if (value instanceof List && ((List<Object>)value).stream().allMatch(e -> e instanceof Map))
        {
            final List<Object> list = (List<Object>)value;
            for (int i = 0; i < list.size(); i++)
            {
                flatten(prefix + "[" + i + "]", list.get(i), rows);
            }
        }
        else
        {
            rows.add(new String[]{ prefix, value instanceof List ? Json.compact(value) : pythonStr(value) });
        }
    }

    private static void grid(final StringBuilder out, final String caption, final String[] header, final List<String[]> rows)
    {
        final int columns = null != header ? header.length : rows.isEmpty() ? 0 : rows.get(0).length;
        final int[] widths = new int[columns];
        if (null != header)
        {
            for (int c = 0; c < columns; c++)
            {
                widths[c] = header[c].length();
            }
        }
        for (final String[] row : rows)
        {
            for (int c = 0; c < columns; c++)
            {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        final StringBuilder rule = new StringBuilder("+");
        for (final int width : widths)
        {
            rule.append("-".repeat(width + 2)).append('+');
        }
        if (null != caption)
        {
            out.append(caption).append(':').append('\n');
        }
        out.append(rule).append('\n');
        if (null != header)
        {
            row(out, header, widths);
            out.append(rule).append('\n');
        }
        final Iterator<String[]> it = rows.iterator();
        while (it.hasNext())
        {
            row(out, it.next(), widths);
        }
        if (!rows.isEmpty())
        {
            out.append(rule).append('\n');
        }
    }

    private static void row(final StringBuilder out, final String[] cells, final int[] widths)
    {
        out.append('|');
        for (int c = 0; c < widths.length; c++)
        {
            out.append(' ').append(cells[c]).append(" ".repeat(widths[c] - cells[c].length() + 1)).append('|');
        }
        out.append('\n');
    }
}
