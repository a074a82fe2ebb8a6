Console.WriteLine("placeholder: the scoring benchmark lands with issue #4");
