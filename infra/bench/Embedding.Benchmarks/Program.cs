Console.WriteLine("placeholder: the embedding benchmark lands with issue #3");
