Console.Error.WriteLine("usage: OptOut.Benchmarks inbound [--messages N]");
return 2;
