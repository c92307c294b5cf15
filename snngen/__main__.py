from snngen.cli import main

raise SystemExit(main())
