import Foundation
import Testing
@testable import TowerData

@Suite struct FormatReaderTests {
    @Test func movieLens100KUData() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n")
        let (log, _) = try MovieLensReader.read(path: path)
        #expect(pairs(log) == ["196:242", "186:302", "196:377"])
        #expect(log.ratings == [3, 3, 1])
        #expect(log.timestamps == [881250949, 891717742, 878887116])
        #expect(try MovieLensReader.detect(path: f.directory).variant == .ml100k)
    }

    @Test func movieLens1MDatWithMoviesAndUsers() throws {
        let f = Fixtures(); defer { f.remove() }
        f.write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n")
        // Titles contain ':' and Latin-1 bytes; only the genres are used.
        f.write("movies.dat", bytes: Array("1193::One Flew: Over (1975)::Drama\n661::James ".utf8) + [0xE9] + Array(" (1996)::Animation|Children's|Musical\n".utf8))
        f.write("users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n")
        let (log, _) = try MovieLensReader.read(path: f.directory)
        #expect(pairs(log) == ["1:1193", "1:661", "2:1193"])
        let genres = try #require(log.itemFeatures.first { $0.name == "genres" })
        #expect(genres.values(of: 0).map { genres.vocabulary.ids[Int($0)] } == ["Drama"])
        #expect(genres.values(of: 1).map { genres.vocabulary.ids[Int($0)] } == ["Animation", "Children's", "Musical"])
        let gender = try #require(log.userFeatures.first { $0.name == "gender" })
        #expect(gender.categoricalIds(missing: -1).map { gender.vocabulary.ids[Int($0)] } == ["F", "M"])
        #expect(log.userFeatures.map(\.name) == ["gender", "age", "occupation"])
    }

    @Test func movieLensCSVWithGenresDetectedByContent() throws {
        let f = Fixtures(); defer { f.remove() }
        let ratings = f.write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n2,1,2.5,964982224\n")
        f.write("movies.csv", "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n3,\"Grumpier Old Men, The (1995)\",Comedy|Romance\n99,Unrated,Drama\n")
        let (log, _) = try MovieLensReader.read(path: ratings)
        #expect(log.ratings == [4, 4.5, 2.5])
        let genres = try #require(log.itemFeatures.first)
        #expect(genres.rows == 2)
        #expect(genres.values(of: 1).map { genres.vocabulary.ids[Int($0)] } == ["Comedy", "Romance"])
        let renamed = f.write("export.txt", "userId,movieId,rating,timestamp\n1,1,4.0,9\n")
        #expect(try MovieLensReader.detect(path: renamed).variant == .csv)
        let other = f.write("other.txt", "a b c\n")
        #expect(dataError { try MovieLensReader.detect(path: other) }.map { "\($0)".contains("not a MovieLens ratings file") } == true)
    }

    @Test func lightGCNTrainAndTest() throws {
        let f = Fixtures(); defer { f.remove() }
        let trainPath = f.write("train.txt", "0 0 1 2\n1 2 3 \n2\n3 1\n")
        let (train, _) = try LightGCNReader.read(path: trainPath)
        #expect(pairs(train) == ["0:0", "0:1", "0:2", "1:2", "1:3", "3:1"])
        #expect(train.userVocabulary.ids == ["0", "1", "2", "3"])
        let (test, report) = try LightGCNReader.read(path: f.write("test.txt", "0 3\n1 0 9\n7 1\n"),
                                                     vocabularies: (train.userVocabulary, train.itemVocabulary))
        #expect(pairs(test) == ["0:3", "1:0"])
        #expect(report.unknownItems == 1 && report.unknownUsers == 1)
        let split = DatasetSplit(train: train, test: test, unknownTestUsers: report.unknownUsers, unknownTestItems: report.unknownItems)
        #expect(Array(split.testItemsByUser.items(of: 1)) == [try train.itemVocabulary.row(for: "0")])
        #expect(Array(split.trainItemsByUser.items(of: 0)) == [0, 1, 2])
    }
}
