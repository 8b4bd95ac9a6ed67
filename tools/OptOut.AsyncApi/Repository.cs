namespace OptOut.AsyncApi;

/// <summary>Finds the repository's root: the nearest folder up from the working directory, or else from the tool itself, that holds the solution.</summary>
public static class Repository
{
    public const string SolutionFile = "OptOut.Messaging.sln";

    public static string Root()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
                    return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder holding {SolutionFile} above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}.");
    }
}
