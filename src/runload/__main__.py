from runload.cli import main

main()
