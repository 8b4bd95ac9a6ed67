using OptOut.Service.Hosting;

OptOutApp.Create(args).Run();

/// <summary>The host's entry point; public so integration specs can start it with WebApplicationFactory.</summary>
public partial class Program;
