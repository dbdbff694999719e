from hostdesk.cli import main

raise SystemExit(main())
