package dev.teamsconnect.starface.bridge;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * XML-RPC (the subset the bridge uses: string, int/i4, boolean, double, struct, array, and nil as null) over the
 * JDK's own XML parser, with DOCTYPEs refused, so no entity is ever expanded and nothing external is loaded. No
 * XML-RPC library: the maintained ones are gone (Apache XML-RPC's last release was 2010) and the subset is small.
 *
 * <p>Bounds: the caller bounds the body's size before it gets here; the parser bounds nesting to
 * {@link #MAX_DEPTH} and the number of values to {@link #MAX_VALUES}. Malformed input is a
 * {@link MalformedXmlRpcException} that says what is wrong and where, without echoing the input (it may hold a
 * secret).
 *
 * <p>Java types: {@code String}, {@code Integer}, {@code Boolean}, {@code Double}, {@code Map<String, Object>}
 * (insertion order kept), {@code List<Object>}, and {@code null}. A {@code Long} is written as an int when it fits
 * and refused otherwise (XML-RPC's int is 32 bits); write large numbers as strings.
 */
public final class XmlRpc {

    public static final int MAX_DEPTH = 16;
    public static final int MAX_VALUES = 200_000;

    /** A method call: the method name and its parameters. */
    public record Call(String method, List<Object> params) {
    }

    /** The document is not XML-RPC, or not the subset above. */
    public static final class MalformedXmlRpcException extends IllegalArgumentException {
        public MalformedXmlRpcException(String message) {
            super(message);
        }
    }

    private XmlRpc() {
    }

    // ---- writing ----

    public static String call(String method, List<?> params) {
        StringBuilder b = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodCall><methodName>");
        escape(b, method).append("</methodName><params>");
        for (Object p : params) {
            b.append("<param>");
            value(b, p, 0);
            b.append("</param>");
        }
        return b.append("</params></methodCall>").toString();
    }

    public static String response(Object value) {
        StringBuilder b = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse><params><param>");
        value(b, value, 0);
        return b.append("</param></params></methodResponse>").toString();
    }

    public static String fault(int code, String message) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("faultCode", code);
        f.put("faultString", message);
        StringBuilder b = new StringBuilder(256).append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse><fault>");
        value(b, f, 0);
        return b.append("</fault></methodResponse>").toString();
    }

    private static void value(StringBuilder b, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("XML-RPC value nested deeper than " + MAX_DEPTH);
        }
        b.append("<value>");
        if (v == null) {
            b.append("<nil/>");
        } else if (v instanceof String s) {
            b.append("<string>");
            escape(b, s).append("</string>");
        } else if (v instanceof Integer i) {
            b.append("<int>").append(i).append("</int>");
        } else if (v instanceof Long l) {
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("XML-RPC int is 32 bits; " + l + " does not fit, send it as a string");
            }
            b.append("<int>").append(l).append("</int>");
        } else if (v instanceof Boolean bool) {
            b.append("<boolean>").append(bool ? '1' : '0').append("</boolean>");
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new IllegalArgumentException("XML-RPC double cannot be " + d);
            }
            b.append("<double>").append(d).append("</double>");
        } else if (v instanceof Map<?, ?> m) {
            b.append("<struct>");
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append("<member><name>");
                escape(b, String.valueOf(e.getKey())).append("</name>");
                value(b, e.getValue(), depth + 1);
                b.append("</member>");
            }
            b.append("</struct>");
        } else if (v instanceof List<?> list) {
            b.append("<array><data>");
            for (Object o : list) {
                value(b, o, depth + 1);
            }
            b.append("</data></array>");
        } else {
            throw new IllegalArgumentException("no XML-RPC type for " + v.getClass().getName());
        }
        b.append("</value>");
    }

    private static StringBuilder escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\r' -> b.append("&#13;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n') {
                        throw new IllegalArgumentException("a control character (U+" + String.format("%04X", (int) c)
                                + ") cannot be sent in XML");
                    }
                    b.append(c);
                }
            }
        }
        return b;
    }

    // ---- reading ----

    /** Parses a {@code methodCall} (the server side: the emulator, and the bridge's own tests). */
    public static Call parseCall(String xml) {
        Element root = parse(xml, "methodCall");
        Element name = child(root, "methodName", "methodCall");
        int[] budget = {MAX_VALUES};
        List<Object> params = new ArrayList<>();
        Element ps = optionalChild(root, "params");
        if (ps != null) {
            for (Element p : children(ps)) {
                expect(p, "param", "params");
                params.add(read(child(p, "value", "param"), 0, budget, "params[" + params.size() + "]"));
            }
        }
        return new Call(name.getTextContent().trim(), params);
    }

    /**
     * Parses a {@code methodResponse}: its value, or the fault it carries.
     *
     * @throws XmlRpcFault the response is a fault
     */
    public static Object parseResponse(String xml) throws XmlRpcFault {
        Element root = parse(xml, "methodResponse");
        int[] budget = {MAX_VALUES};
        Element fault = optionalChild(root, "fault");
        if (fault != null) {
            Object f = read(child(fault, "value", "fault"), 0, budget, "fault");
            if (!(f instanceof Map<?, ?> m) || !(m.get("faultCode") instanceof Integer code)
                    || !(m.get("faultString") instanceof String text)) {
                throw new MalformedXmlRpcException("the fault is not a struct of faultCode (int) and faultString (string)");
            }
            throw new XmlRpcFault(code, text);
        }
        Element params = child(root, "params", "methodResponse");
        List<Element> ps = children(params);
        if (ps.size() != 1) {
            throw new MalformedXmlRpcException("a methodResponse has exactly one param, this one has " + ps.size());
        }
        expect(ps.get(0), "param", "params");
        return read(child(ps.get(0), "value", "param"), 0, budget, "the answer");
    }

    private static Object read(Element value, int depth, int[] budget, String where) {
        if (depth > MAX_DEPTH) {
            throw new MalformedXmlRpcException("values nested deeper than " + MAX_DEPTH + " at " + where);
        }
        if (--budget[0] < 0) {
            throw new MalformedXmlRpcException("more than " + MAX_VALUES + " values");
        }
        List<Element> typed = children(value);
        if (typed.isEmpty()) {
            return value.getTextContent(); // no type element: a string
        }
        if (typed.size() > 1) {
            throw new MalformedXmlRpcException("a value has more than one type element at " + where);
        }
        Element t = typed.get(0);
        String text = t.getTextContent();
        switch (t.getTagName()) {
            case "string":
                return text;
            case "int":
            case "i4":
                try {
                    return Integer.valueOf(text.trim());
                } catch (NumberFormatException e) {
                    throw new MalformedXmlRpcException("not a 32-bit int at " + where);
                }
            case "boolean":
                return switch (text.trim()) {
                    case "1" -> Boolean.TRUE;
                    case "0" -> Boolean.FALSE;
                    default -> throw new MalformedXmlRpcException("a boolean is 0 or 1 at " + where);
                };
            case "double":
                try {
                    return Double.valueOf(text.trim());
                } catch (NumberFormatException e) {
                    throw new MalformedXmlRpcException("not a double at " + where);
                }
            case "nil":
                return null;
            case "struct": {
                Map<String, Object> m = new LinkedHashMap<>();
                for (Element member : children(t)) {
                    expect(member, "member", "struct at " + where);
                    String n = child(member, "name", "member at " + where).getTextContent();
                    m.put(n, read(child(member, "value", "member " + n + " at " + where), depth + 1, budget,
                            where + "." + n));
                }
                return m;
            }
            case "array": {
                Element data = child(t, "data", "array at " + where);
                List<Object> list = new ArrayList<>();
                for (Element v : children(data)) {
                    expect(v, "value", "array at " + where);
                    list.add(read(v, depth + 1, budget, where + "[" + list.size() + "]"));
                }
                return list;
            }
            default:
                throw new MalformedXmlRpcException("type <" + t.getTagName() + "> is not supported, at " + where);
        }
    }

    private static Element parse(String xml, String rootName) {
        Document doc;
        try {
            DocumentBuilder builder = FACTORY.get().newDocumentBuilder();
            builder.setErrorHandler(null);
            doc = builder.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException e) {
            throw new MalformedXmlRpcException("not well-formed XML, or with a DOCTYPE (refused): "
                    + firstLine(e.getMessage()));
        } catch (IOException | ParserConfigurationException e) {
            throw new MalformedXmlRpcException("cannot read the XML: " + e.getClass().getSimpleName());
        }
        Element root = doc.getDocumentElement();
        if (!rootName.equals(root.getTagName())) {
            throw new MalformedXmlRpcException("expected <" + rootName + ">, found <" + root.getTagName() + ">");
        }
        return root;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    private static final ThreadLocal<DocumentBuilderFactory> FACTORY = ThreadLocal.withInitial(XmlRpc::factory);

    /** A factory that refuses DOCTYPEs (so no entity can be declared or expanded) and never loads anything. */
    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        try {
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser does not accept the safe settings", e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        f.setNamespaceAware(false);
        return f;
    }

    private static List<Element> children(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE) {
                out.add((Element) n);
            } else if (n.getNodeType() == Node.TEXT_NODE && !n.getTextContent().isBlank() && !"value".equals(e.getTagName())
                    && !isScalar(e)) {
                throw new MalformedXmlRpcException("unexpected text inside <" + e.getTagName() + ">");
            }
        }
        return out;
    }

    private static boolean isScalar(Element e) {
        return switch (e.getTagName()) {
            case "string", "int", "i4", "boolean", "double", "name", "methodName" -> true;
            default -> false;
        };
    }

    private static Element child(Element parent, String name, String where) {
        Element c = optionalChild(parent, name);
        if (c == null) {
            throw new MalformedXmlRpcException("<" + name + "> is missing in " + where);
        }
        return c;
    }

    private static Element optionalChild(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE && name.equals(((Element) n).getTagName())) {
                return (Element) n;
            }
        }
        return null;
    }

    private static void expect(Element e, String name, String where) {
        if (!name.equals(e.getTagName())) {
            throw new MalformedXmlRpcException("expected <" + name + "> in " + where + ", found <" + e.getTagName() + ">");
        }
    }
}
