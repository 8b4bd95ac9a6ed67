using OptOut.AsyncApi;

// dotnet run --project tools/OptOut.AsyncApi               writes docs/asyncapi.json
// dotnet run --project tools/OptOut.AsyncApi -- --check    exit 1 when docs/asyncapi.json is not what the contracts generate
var check = args.Contains("--check");
var others = args.Where(a => a != "--check").ToList();
if (others.Count > 1 || others.Any(a => a.StartsWith('-')))
{
    Console.Error.WriteLine("usage: OptOut.AsyncApi [--check] [path]   (path: default <repository>/" + AsyncApiDocument.RepositoryPath + ")");
    return 2;
}

var path = others.Count == 1 ? Path.GetFullPath(others[0]) : Path.Combine(Repository.Root(), AsyncApiDocument.RepositoryPath);
var generated = AsyncApiDocument.Generate();
if (check)
{
    var committed = File.Exists(path) ? File.ReadAllText(path) : null;
    if (committed == generated)
    {
        Console.WriteLine($"{path} is up to date");
        return 0;
    }

    Console.Error.WriteLine($"{path} differs from what the contracts generate: run `dotnet run --project tools/OptOut.AsyncApi` and commit it.");
    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(path)!);
File.WriteAllText(path, generated);
Console.WriteLine($"wrote {path}");
return 0;
