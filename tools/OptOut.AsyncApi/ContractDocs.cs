using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace OptOut.AsyncApi;

/// <summary>
/// The XML doc comments of the contract assembly (its <c>.xml</c> file, which the build writes beside the dll), as
/// plain text with inline code in backticks: the descriptions of the schemas. A public member without a summary is an
/// error, since the contracts build with CS1591 on and the document must not silently lose a description.
/// </summary>
public sealed class ContractDocs
{
    private readonly Dictionary<string, XElement> _members;

    private ContractDocs(XDocument xml) =>
        _members = xml.Root!.Element("members")!.Elements("member").ToDictionary(m => (string)m.Attribute("name")!, m => m, StringComparer.Ordinal);

    public static ContractDocs For(Assembly contracts)
    {
        var path = Path.ChangeExtension(contracts.Location, ".xml");
        if (!File.Exists(path))
            throw new FileNotFoundException($"The contracts' XML docs are not beside {contracts.Location}: build OptOut.Contracts with GenerateDocumentationFile.", path);
        return From(XDocument.Load(path));
    }

    /// <summary>Docs from an XML doc file's content (<c>doc/members/member</c>).</summary>
    public static ContractDocs From(XDocument xml) => new(xml);

    public string Of(Type type) => Summary("T:" + type.FullName);

    public string Of(PropertyInfo property) => Summary($"P:{property.DeclaringType!.FullName}.{property.Name}");

    public string Of(Type enumType, string member) => Summary($"F:{enumType.FullName}.{member}");

    private string Summary(string member)
    {
        if (!_members.TryGetValue(member, out var element) || element.Element("summary") is not { } summary)
            throw new InvalidOperationException($"{member} has no <summary> in the contracts' XML docs.");
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        Append(summary, current, paragraphs);
        Flush(current, paragraphs);
        return string.Join("\n\n", paragraphs);
    }

    private static void Append(XElement element, StringBuilder current, List<string> paragraphs)
    {
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText text:
                    current.Append(text.Value);
                    break;
                case XElement { Name.LocalName: "para" } para:
                    Flush(current, paragraphs);
                    Append(para, current, paragraphs);
                    Flush(current, paragraphs);
                    break;
                case XElement { Name.LocalName: "c" } code:
                    current.Append('`').Append(code.Value).Append('`');
                    break;
                case XElement { Name.LocalName: "see" or "seealso" } see:
                    current.Append('`').Append(CrefName((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? see.Value)).Append('`');
                    break;
                case XElement other:
                    Append(other, current, paragraphs);
                    break;
            }
        }
    }

    /// <summary>
    /// How a cross-reference reads on the wire: a type by its name, a property as <c>Type.camelCaseName</c> (the JSON
    /// field), an enum member by its name (the string it travels as).
    /// </summary>
    private static string CrefName(string cref)
    {
        var kind = cref.Length > 2 && cref[1] == ':' ? cref[0] : 'T';
        var name = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        var parts = name.Split('.');
        return kind switch
        {
            'P' when parts.Length >= 2 => parts[^2] + "." + JsonNamingPolicy.CamelCase.ConvertName(parts[^1]),
            'F' => parts[^1],
            _ => parts[^1],
        };
    }

    private static void Flush(StringBuilder current, List<string> paragraphs)
    {
        var text = string.Join(' ', current.ToString().Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        if (text.Length > 0)
            paragraphs.Add(text);
        current.Clear();
    }
}
