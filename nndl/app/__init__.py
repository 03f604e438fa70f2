"""The product's tooling, apart from the book's library: the command line (:mod:`.cli`),
the run report (:mod:`.report`), notebook generation (:mod:`.notebooks`) and the chapter
scripts' support (:mod:`.script`)."""
